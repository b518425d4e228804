// First: tracing must patch http, pg, ioredis and kafkajs before anything loads them.
import './instrumentation';
import 'reflect-metadata';
import { loadConfigOrExit } from '@activity/config';
import { createLogger } from '@activity/observability';
import { startHttpService } from '@activity/http';
import { OutboxRelayConfig } from './outbox-relay.config';
import { OutboxRelayModule } from './outbox-relay.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(OutboxRelayConfig);
  const logger = createLogger('outbox-relay', config.LOG_LEVEL);
  await startHttpService({
    module: OutboxRelayModule.forRoot(config, logger),
    logger,
    host: config.HTTP_HOST,
    port: config.PORT,
    bodyLimit: 16 * 1024,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`outbox-relay failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
