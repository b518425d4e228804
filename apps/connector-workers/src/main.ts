// First: tracing must patch http, pg, ioredis and kafkajs before anything loads them.
import './instrumentation';
import 'reflect-metadata';
import { loadConfigOrExit } from '@activity/config';
import { KafkaConsumerTransport } from '@activity/messaging';
import { createLogger } from '@activity/observability';
import { startHttpService } from '@activity/http';
import { configureConnectorsOrExit } from '@activity/use-cases';
import { ConnectorWorkersConfig } from './connector-workers.config';
import { ConnectorWorkersModule } from './connector-workers.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ConnectorWorkersConfig);
  const connectors = configureConnectorsOrExit();
  const logger = createLogger('connector-workers', config.LOG_LEVEL);
  await startHttpService({
    module: ConnectorWorkersModule.forRoot(config, connectors, logger),
    transport: KafkaConsumerTransport,
    logger,
    host: config.HTTP_HOST,
    port: config.PORT,
    bodyLimit: 16 * 1024,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`connector-workers failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
