// First: tracing must patch http, pg, ioredis and kafkajs before anything loads them.
import './instrumentation';
import 'reflect-metadata';
import compress from '@fastify/compress';
import { loadConfigOrExit } from '@activity/config';
import { createLogger } from '@activity/observability';
import { startHttpService } from '@activity/http';
import { buildAsyncApiDocument, KafkaConsumerTransport } from '@activity/messaging';
import { ConnectorRegistry, configureConnectorsOrExit } from '@activity/use-cases';
import { buildOpenApiDocument, registerOpenApiRoutes } from './docs/openapi-docs';
import { FeedApiConfig } from './feed-api.config';
import { FeedApiModule } from './feed-api.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(FeedApiConfig);
  const connectors = configureConnectorsOrExit();
  const logger = createLogger('feed-api', config.LOG_LEVEL);
  await startHttpService({
    module: FeedApiModule.forRoot(config, connectors, logger),
    transport: KafkaConsumerTransport,
    logger,
    host: config.HTTP_HOST,
    port: config.PORT,
    bodyLimit: 64 * 1024,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    // /internal routes are HMAC-signed over the exact bytes.
    rawBody: true,
    configure: async (fastify, app) => {
      await fastify.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
      const catalogue = app.get(ConnectorRegistry).catalogue;
      registerOpenApiRoutes(fastify, buildOpenApiDocument(app, catalogue), buildAsyncApiDocument(catalogue.list()));
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`feed-api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
