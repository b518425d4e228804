// `npm run -s webhook:sign -- --body '<json>' [--secret whsec_...] [--id msg_...] [--scheme github --event push | --scheme discord]`
// Prints the signature headers, one per line, ready for `curl -H @<(...)`: the three Standard
// Webhooks headers, GitHub's X-Hub-Signature-256 / X-GitHub-Delivery / X-GitHub-Event, or Discord's
// X-Signature-Ed25519 / X-Signature-Timestamp (signed with the demo application's key by default), or Twitch
// EventSub's four headers (signed with the demo source's secret by default), or WebSub's X-Hub-Signature
// (HMAC-SHA1 with the demo YouTube source's secret by default).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signEd25519Hex, signHmacSha256Hex, signHubSignatureSha1, signStandardWebhook } from '@activity/connector-sdk';
import { failUsage, parseCommandLine } from '@activity/config';

const DEFAULT_SECRET = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';
/** The demo Discord application's private seed: PLATFORMS.md's Ed25519 test vector (bytes 1..32), public on purpose. */
const DEMO_DISCORD_SEED = Buffer.from(Array.from({ length: 32 }, (_, index) => index + 1)).toString('hex');

function main(): void {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s webhook:sign --',
    summary:
      'Prints the signature headers for exactly this body, one per line, for curl -H @<(...): Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) or, with --scheme github, X-Hub-Signature-256, X-GitHub-Delivery and X-GitHub-Event, or with --scheme discord, X-Signature-Ed25519 and X-Signature-Timestamp, with --scheme twitch the four EventSub headers, with --scheme youtube X-Hub-Signature.',
    options: {
      body: { type: 'string', valueName: 'json', description: 'the exact request body' },
      file: { type: 'string', valueName: 'path', description: 'read the body from a file instead' },
      secret: {
        type: 'string',
        valueName: 'whsec_…',
        description: 'signing secret (default: the demo Minecraft source, or DEMO_MINECRAFT_SECRET); discord: the Ed25519 seed as 64 hex (default: the demo application)',
      },
      id: { type: 'string', valueName: 'msg_…', description: 'delivery id (default: a new one)' },
      timestamp: { type: 'string', valueName: 'seconds', description: 'Unix time (default: now)' },
      scheme: { type: 'string', valueName: 'standard-webhooks|github|discord|twitch|youtube', description: 'the signature scheme (default standard-webhooks)' },
      type: { type: 'string', valueName: 'message type', description: 'twitch: Twitch-Eventsub-Message-Type (default notification)' },
      event: { type: 'string', valueName: 'name', description: 'github: the X-GitHub-Event header (default push)' },
    },
  });
  const body = typeof args['file'] === 'string' ? readFileSync(args['file']) : typeof args['body'] === 'string' ? Buffer.from(args['body']) : undefined;
  if (!body) failUsage("webhook:sign: pass the exact request body with --body '<json>' or --file <path>");
  const scheme = String(args['scheme'] ?? 'standard-webhooks');
  if (scheme === 'github') {
    if (typeof args['secret'] !== 'string') failUsage('webhook:sign: --scheme github needs the source’s --secret');
    const delivery = String(args['id'] ?? randomUUID());
    process.stdout.write(
      `X-Hub-Signature-256: ${signHmacSha256Hex(String(args['secret']), body)}\nX-GitHub-Delivery: ${delivery}\nX-GitHub-Event: ${String(args['event'] ?? 'push')}\n`,
    );
    return;
  }
  if (scheme === 'twitch') {
    const secret = String(args['secret'] ?? 'demo-twitch-eventsub-secret');
    const id = String(args['id'] ?? randomUUID());
    const timestamp = String(args['timestamp'] ?? new Date().toISOString());
    process.stdout.write(
      `Twitch-Eventsub-Message-Id: ${id}\nTwitch-Eventsub-Message-Type: ${String(args['type'] ?? 'notification')}\nTwitch-Eventsub-Message-Timestamp: ${timestamp}\nTwitch-Eventsub-Message-Signature: ${signHmacSha256Hex(secret, id, timestamp, body)}\n`,
    );
    return;
  }
  if (scheme === 'youtube') {
    process.stdout.write(`X-Hub-Signature: ${signHubSignatureSha1(String(args['secret'] ?? 'demo-youtube-websub-secret'), body)}\n`);
    return;
  }
  if (scheme === 'discord') {
    const seed = String(args['secret'] ?? DEMO_DISCORD_SEED);
    if (!/^[0-9a-fA-F]{64}$/.test(seed)) failUsage('webhook:sign: --scheme discord takes --secret as the Ed25519 seed, 64 hex characters');
    const timestamp = String(args['timestamp'] ?? Math.floor(Date.now() / 1000));
    process.stdout.write(`X-Signature-Ed25519: ${signEd25519Hex(seed, timestamp, body)}\nX-Signature-Timestamp: ${timestamp}\n`);
    return;
  }
  if (scheme !== 'standard-webhooks') failUsage(`webhook:sign: --scheme is standard-webhooks, github, discord, twitch or youtube, not "${scheme}"`);
  const secret = String(args['secret'] ?? process.env['DEMO_MINECRAFT_SECRET'] ?? DEFAULT_SECRET);
  const id = String(args['id'] ?? `msg_${randomUUID().replace(/-/g, '')}`);
  const timestamp = Number(args['timestamp'] ?? Math.floor(Date.now() / 1000));
  process.stdout.write(`webhook-id: ${id}\nwebhook-timestamp: ${timestamp}\nwebhook-signature: ${signStandardWebhook(secret, id, timestamp, body)}\n`);
}

main();
