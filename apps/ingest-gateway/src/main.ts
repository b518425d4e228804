// First: tracing must patch http, pg, ioredis and kafkajs before anything loads them.
import './instrumentation';
import 'reflect-metadata';
import { loadConfigOrExit } from '@activity/config';
import { createLogger } from '@activity/observability';
import { startHttpService } from '@activity/http';
import { configureConnectorsOrExit } from '@activity/use-cases';
import { IngestGatewayConfig } from './ingest-gateway.config';
import { IngestGatewayModule } from './ingest-gateway.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(IngestGatewayConfig);
  const connectors = configureConnectorsOrExit();
  const logger = createLogger('ingest-gateway', config.LOG_LEVEL);
  await startHttpService({
    module: IngestGatewayModule.forRoot(config, connectors, logger),
    logger,
    host: config.HTTP_HOST,
    port: config.PORT,
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    // Signatures are over raw bytes: keep JSON bodies as Buffers and parse after verifying.
    bodyParser: false,
    configure: (fastify) => {
      fastify.removeContentTypeParser('application/json');
      // WebSub hubs (YouTube) deliver Atom feeds; GitHub may deliver its JSON form-encoded (`payload=`).
      fastify.addContentTypeParser(
        ['application/json', 'application/atom+xml', 'application/xml', 'text/xml', 'application/x-www-form-urlencoded'],
        { parseAs: 'buffer' },
        (_request, body, done) => done(null, body),
      );
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest-gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
