// `npm run -s webhook:sign -- --body '<json>' [--secret whsec_...] [--id msg_...]`
// Prints the three Standard Webhooks headers, one per line, ready for `curl -H @<(...)`.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signStandardWebhook } from '@activity/connector-sdk';
import { failUsage, parseArgs } from '@activity/config';

const DEFAULT_SECRET = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';

function main(): void {
  let args: Record<string, string | boolean | string[]>;
  try {
    args = parseArgs(process.argv.slice(2), { body: 'string', file: 'string', secret: 'string', id: 'string', timestamp: 'string' });
  } catch (error) {
    failUsage(`webhook:sign: ${(error as Error).message}`);
  }
  const body = typeof args['file'] === 'string' ? readFileSync(args['file']) : typeof args['body'] === 'string' ? Buffer.from(args['body']) : undefined;
  if (!body) failUsage("webhook:sign: pass the exact request body with --body '<json>' or --file <path>");
  const secret = String(args['secret'] ?? process.env['DEMO_MINECRAFT_SECRET'] ?? DEFAULT_SECRET);
  const id = String(args['id'] ?? `msg_${randomUUID().replace(/-/g, '')}`);
  const timestamp = Number(args['timestamp'] ?? Math.floor(Date.now() / 1000));
  process.stdout.write(`webhook-id: ${id}\nwebhook-timestamp: ${timestamp}\nwebhook-signature: ${signStandardWebhook(secret, id, timestamp, body)}\n`);
}

main();
