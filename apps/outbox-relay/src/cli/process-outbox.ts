// `npm run -s process-outbox -- <options>`: the relay loop from the command line.
//   --once [--limit N]        publish what is due now, print the counts, exit (1 if anything failed)
//   --dry-run [--limit N]     list what is due without publishing or claiming it
//   --requeue-dead [--id N]…  bring dead rows back (all, or the given ids) for another round of attempts
import 'reflect-metadata';
import { failUsage, loadConfigOrExit, parseCommandLine } from '@activity/config';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventPublisher } from '@activity/messaging';
import { createLogger } from '@activity/observability';
import { OutboxStore, PersistenceModule } from '@activity/persistence';
import { EVENT_PUBLISHER, InfrastructureModule } from '@activity/platform';
import { OutboxRelayConfig } from '../outbox-relay.config';
import { OutboxRelay } from '../relay/outbox-relay';
import { relayOptions } from '../relay/relay-options';

const USAGE = 'usage: process-outbox --once [--limit N] | --dry-run [--limit N] | --requeue-dead [--id N ...]';

async function main(): Promise<void> {
  const { values: args } = parseCommandLine({
    usage: 'npm run -s process-outbox --',
    summary: 'The outbox relay loop from the command line: choose exactly one of --once, --dry-run, --requeue-dead.',
    options: {
      once: { type: 'boolean', description: 'publish what is due now, print the counts, exit (1 if anything failed)' },
      'dry-run': { type: 'boolean', description: 'list what is due without publishing or claiming it' },
      'requeue-dead': { type: 'boolean', description: 'bring dead rows back (all, or the --id ones) for another round of attempts' },
      limit: { type: 'string', valueName: 'n', description: 'at most this many rows (--once, --dry-run)' },
      id: { type: 'string', multiple: true, valueName: 'row', description: 'an outbox row id (--requeue-dead)' },
    },
  });
  const modes = ['once', 'dry-run', 'requeue-dead'].filter((mode) => args[mode]);
  if (modes.length !== 1) failUsage(`process-outbox: choose exactly one of --once, --dry-run, --requeue-dead\n${USAGE}`);
  const limit = args['limit'] === undefined ? Number.POSITIVE_INFINITY : Number(args['limit']);
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) failUsage('process-outbox: --limit must be a positive integer');
  const ids = args['id'] as string[] | undefined;
  if (ids && (!args['requeue-dead'] || ids.some((id) => !/^\d{1,19}$/.test(id)))) failUsage('process-outbox: --id takes outbox row ids and goes with --requeue-dead');

  const config = loadConfigOrExit(OutboxRelayConfig);
  const logger = createLogger('process-outbox', config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  // The service's own wiring, without its HTTP server or relay loop.
  @Module({ imports: [InfrastructureModule.forRoot({ service: 'process-outbox', config: { ...config, DATABASE_POOL_SIZE: 2 }, logger }), PersistenceModule] })
  class ProcessOutboxModule {}
  const app = await NestFactory.createApplicationContext(ProcessOutboxModule, { logger: false });
  const store = app.get(OutboxStore);
  try {
    if (args['requeue-dead']) {
      const requeued = await store.requeueDead(ids);
      process.stdout.write(`requeued ${requeued.length} dead row(s)${requeued.length ? `: ${requeued.join(', ')}` : ''}\n`);
      if (ids && requeued.length !== ids.length) {
        process.stderr.write(`not dead (or unknown): ${ids.filter((id) => !requeued.includes(id)).join(', ')}\n`);
        process.exitCode = 1;
      }
      return;
    }
    if (args['dry-run']) {
      const due = await store.listDue(Number.isFinite(limit) ? limit : 1000);
      for (const row of due) process.stdout.write(`${row.id}\t${row.topic}\t${row.key}\tattempts=${row.attempts}\t${row.headers['ce_type'] ?? ''}\n`);
      process.stdout.write(`${due.length} row(s) due (nothing published)\n`);
      return;
    }
    const publisher = app.get<EventPublisher>(EVENT_PUBLISHER);
    const result = await new OutboxRelay(store, publisher, relayOptions(config), logger).drainOnce(limit);
    process.stdout.write(`published ${result.sent}, failed ${result.failed}, dead ${result.dead}\n`);
    if (result.failed || result.dead) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`process-outbox failed: ${(error as Error).message}\n`);
  process.exit(1);
});
