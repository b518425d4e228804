// `npm run -s webhook:sign -- --body '<json>' [--secret whsec_...] [--id msg_...]`
// Prints the three Standard Webhooks headers, one per line, ready for `curl -H @<(...)`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signStandardWebhook } from '@activity/connector-sdk';
import { failUsage, parseCommandLine } from '@activity/config';

const DEFAULT_SECRET = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';

function main(): void {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s webhook:sign --',
    summary: 'Prints the three Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) for exactly this body, one per line, for curl -H @<(...).',
    options: {
      body: { type: 'string', valueName: 'json', description: 'the exact request body' },
      file: { type: 'string', valueName: 'path', description: 'read the body from a file instead' },
      secret: { type: 'string', valueName: 'whsec_…', description: 'signing secret (default: the demo Minecraft source, or DEMO_MINECRAFT_SECRET)' },
      id: { type: 'string', valueName: 'msg_…', description: 'delivery id (default: a new one)' },
      timestamp: { type: 'string', valueName: 'seconds', description: 'Unix time (default: now)' },
    },
  });
  const body = typeof args['file'] === 'string' ? readFileSync(args['file']) : typeof args['body'] === 'string' ? Buffer.from(args['body']) : undefined;
  if (!body) failUsage("webhook:sign: pass the exact request body with --body '<json>' or --file <path>");
  const secret = String(args['secret'] ?? process.env['DEMO_MINECRAFT_SECRET'] ?? DEFAULT_SECRET);
  const id = String(args['id'] ?? `msg_${randomUUID().replace(/-/g, '')}`);
  const timestamp = Number(args['timestamp'] ?? Math.floor(Date.now() / 1000));
  process.stdout.write(`webhook-id: ${id}\nwebhook-timestamp: ${timestamp}\nwebhook-signature: ${signStandardWebhook(secret, id, timestamp, body)}\n`);
}

main();
