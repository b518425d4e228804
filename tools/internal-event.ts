// `npm run -s internal:event -- --text '<text>' [--tenant demo] [--user alice] [--type platform.comment.posted]`
// Records a first-party event through POST /internal/v1/events, signed with the development
// internal key (as the "platform" service), and prints feed-api's answer.
import { randomUUID } from 'node:crypto';
import { signInternalRequest } from '@activity/auth';
import { failUsage, parseCommandLine } from '@activity/config';

const DEVELOPMENT_KEY = { id: 'dev-platform', secret: 'ZGV2ZWxvcG1lbnQtaW50ZXJuYWwtaG1hYy1rZXk=' };

async function main(): Promise<void> {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s internal:event --',
    summary: 'Records a first-party event (POST /internal/v1/events) signed with the development internal key, and prints the answer.',
    options: {
      text: { type: 'string', description: 'the event’s text (links in it get previews)' },
      tenant: { type: 'string', description: 'tenant id (default demo)' },
      user: { type: 'string', description: 'the feed owner (default alice)' },
      type: { type: 'string', description: 'a platform.* type (default platform.comment.posted)' },
      url: { type: 'string', description: 'feed-api (default http://127.0.0.1:3000)' },
    },
    examples: ["npm run -s internal:event -- --text 'Our guide: http://127.0.0.1:3092/nether-guide'"],
  });
  if (typeof args['text'] !== 'string') failUsage('internal:event: pass --text');
  if (process.env['NODE_ENV'] === 'production') failUsage('internal:event: the development key is not used when NODE_ENV=production');
  const user = String(args['user'] ?? 'alice');
  const body = JSON.stringify({
    eventId: `evt-${randomUUID()}`,
    tenantId: String(args['tenant'] ?? 'demo'),
    userId: user,
    type: String(args['type'] ?? 'platform.comment.posted'),
    occurredAt: new Date().toISOString(),
    actor: { type: 'Person', id: `platform:user:${user}`, name: user },
    payload: { text: String(args['text']) },
  });
  const headers = signInternalRequest(DEVELOPMENT_KEY, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
  const response = await fetch(`${String(args['url'] ?? 'http://127.0.0.1:3000')}/internal/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  if (!response.ok) process.exitCode = 1;
}

main().catch((error: unknown) => failUsage(`internal:event: ${(error as Error).message}`));
