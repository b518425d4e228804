// `npm run -s webhook-sources -- <command>`: manage webhook sources (one per Minecraft server, say).
//   add    --tenant <t> --connector <c> --id <source> --name <name> [--secret whsec_...]   prints the secret (generated if not given)
//   rotate --connector <c> --id <source> [--grace-hours 24] [--secret whsec_...]          adds a new secret; old ones stay valid for the grace period
//   list   [--tenant <t>]
import { randomBytes } from 'node:crypto';
import { CommonConfig, failUsage, loadConfigOrExit, parseCommandLine } from '@activity/config';
import { createDataSource, SecretCipher, WebhookSourceStore } from '@activity/persistence';

const USAGE =
  'usage: webhook-sources add --tenant T --connector C --id ID --name NAME [--secret whsec_...] | rotate --connector C --id ID [--grace-hours H] [--secret whsec_...] | list [--tenant T]';

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function main(): Promise<void> {
  const { values: args, positionals } = parseCommandLine({
    usage: 'npm run -s webhook-sources --',
    positionals: '<add|rotate|list>',
    summary:
      'Manages webhook sources. add: registers a source and prints its secret (generated unless given). rotate: adds a new secret; the old ones stay valid for the grace period. list: the sources, without secrets.',
    options: {
      tenant: { type: 'string', description: 'tenant id (add; optional filter for list)' },
      connector: { type: 'string', description: 'connector name, e.g. minecraft (add, rotate)' },
      id: { type: 'string', valueName: 'source', description: 'source id, the last path segment of its webhook URL (add, rotate)' },
      name: { type: 'string', description: 'display name (add)' },
      secret: { type: 'string', valueName: 'whsec_…', description: 'use this secret instead of a generated one (add, rotate)' },
      'grace-hours': { type: 'string', valueName: 'hours', description: 'how long the previous secrets stay valid (rotate, default 24)' },
    },
    examples: ['npm run -s webhook-sources -- add --tenant demo --connector minecraft --id survival-2 --name "Survival 2"'],
  });
  const [command, ...extra] = positionals;
  if (extra.length) failUsage(`webhook-sources: unexpected ${extra.join(' ')}\n${USAGE}`);
  const need = (...names: string[]) => {
    const missing = names.filter((name) => typeof args[name] !== 'string');
    if (missing.length) failUsage(`webhook-sources ${command}: missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}`);
  };
  const secret = typeof args['secret'] === 'string' ? args['secret'] : newSecret();
  if (!/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(secret)) failUsage('webhook-sources: --secret must be whsec_<base64 of 16+ bytes>');
  const config = loadConfigOrExit(CommonConfig);
  const dataSource = await createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'webhook-sources' }).initialize();
  const store = new WebhookSourceStore(dataSource, SecretCipher.fromSettings(config));
  try {
    switch (command) {
      case 'add':
        need('tenant', 'connector', 'id', 'name');
        await store.upsert({ tenantId: String(args['tenant']), connector: String(args['connector']), sourceId: String(args['id']), name: String(args['name']) }, secret);
        process.stdout.write(`${secret}\n`);
        break;
      case 'rotate': {
        need('connector', 'id');
        const grace = Number(args['grace-hours'] ?? 24);
        if (!(grace >= 0)) failUsage('webhook-sources: --grace-hours must be a number of hours');
        const kept = await store.rotate(String(args['connector']), String(args['id']), secret, grace);
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`previous secrets stay valid for ${grace} h (${kept} affected)\n`);
        break;
      }
      case 'list':
        for (const source of await store.list(typeof args['tenant'] === 'string' ? args['tenant'] : undefined)) {
          process.stdout.write(`${source.tenantId}\t${source.connector}/${source.sourceId}\t${source.status}\t${source.liveSecrets} live secret(s)\t${source.name}\n`);
        }
        break;
      default:
        failUsage(USAGE);
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`webhook-sources failed: ${(error as Error).message}\n`);
  process.exit(1);
});
