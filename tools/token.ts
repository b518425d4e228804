// `npm run -s token -- --tenant <t> --user <u> [--ttl <seconds>]`: prints a development JWT and nothing else.
import { issueDevToken, JwtConfig, loadOrCreateDevKeyPair } from '@activity/auth';
import { failUsage, loadConfigOrExit, parseArgs } from '@activity/config';

async function main(): Promise<void> {
  let args: Record<string, string | boolean | string[]>;
  try {
    args = parseArgs(process.argv.slice(2), { tenant: 'string', user: 'string', ttl: 'string' });
  } catch (error) {
    failUsage(`token: ${(error as Error).message}\nusage: npm run -s token -- --tenant <tenant> --user <user> [--ttl <seconds>]`);
  }
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
