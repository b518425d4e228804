// `npm run -s token -- --tenant <t> --user <u> [--ttl <seconds>]`: prints a development JWT and nothing else.
import { issueDevToken, JwtConfig, loadOrCreateDevKeyPair } from '@activity/auth';
import { failUsage, loadConfigOrExit, parseCommandLine } from '@activity/config';

async function main(): Promise<void> {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s token --',
    summary: 'Prints a development JWT that feed-api accepts in development mode, and nothing else.',
    options: {
      tenant: { type: 'string', description: 'tenant id (default demo)' },
      user: { type: 'string', description: 'user id (default alice; admin may read the tenant feed in demo)' },
      ttl: { type: 'string', valueName: 'seconds', description: 'lifetime (default 3600)' },
    },
    examples: ['curl -s http://127.0.0.1:3000/v2/feed -H "authorization: Bearer $(npm run -s token -- --tenant demo --user alice)"'],
  });
  const tenant = String(args['tenant'] ?? 'demo');
  const user = String(args['user'] ?? 'alice');
  const ttl = Number(args['ttl'] ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1) failUsage('token: --ttl must be a positive number of seconds');
  const config = loadConfigOrExit(JwtConfig);
  if (config.NODE_ENV === 'production') failUsage('token: development tokens are not issued when NODE_ENV=production');
  const keys = await loadOrCreateDevKeyPair(config.JWT_DEV_KEY_DIR);
  process.stdout.write(`${await issueDevToken(keys, { tenantId: tenant, userId: user, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: ttl })}\n`);
}

main().catch((error: unknown) => failUsage(`token: ${(error as Error).message}`));
