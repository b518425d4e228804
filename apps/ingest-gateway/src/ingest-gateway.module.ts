import { Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createConnectorRegistry, type ConnectorRegistry } from '@activity/connectors';
import type { EventPublisher } from '@activity/messaging';
import { SecretCipher, WebhookSourceStore } from '@activity/persistence';
import { DATA_SOURCE, EVENT_PUBLISHER, infrastructureProviders, KAFKA, REDIS } from '@activity/platform';
import { HEALTH_INDICATORS, postgresIndicator, redisIndicator } from '@activity/observability';
import { HealthController, MetricsController } from '@activity/http';
import { kafkaIndicator } from '@activity/messaging';
import type { IngestGatewayConfig } from './ingest-gateway.config';
import { DeliveryDeduplicator } from './webhooks/delivery-deduplicator';
import { WebhookIntakeService } from './webhooks/webhook-intake.service';
import { WebhooksController } from './webhooks/webhooks.controller';

const CONNECTORS = Symbol('CONNECTORS');

@Module({})
export class IngestGatewayModule {
  static forRoot(config: IngestGatewayConfig, logger: Logger): DynamicModule {
    return {
      module: IngestGatewayModule,
      controllers: [WebhooksController, HealthController, MetricsController],
      providers: [
        ...infrastructureProviders('ingest-gateway', config, logger),
        // Webhook connectors need no upstream clients.
        { provide: CONNECTORS, useFactory: () => createConnectorRegistry() },
        {
          provide: WebhookSourceStore,
          useFactory: (dataSource: DataSource) =>
            new WebhookSourceStore(dataSource, SecretCipher.fromSettings(config)),
          inject: [DATA_SOURCE],
        },
        {
          provide: WebhookIntakeService,
          useFactory: (connectors: ConnectorRegistry, sources: WebhookSourceStore, redis: Redis | null, publisher: EventPublisher) =>
            new WebhookIntakeService(connectors, sources, new DeliveryDeduplicator(redis, config.WEBHOOK_DEDUPE_TTL_SECONDS, logger), publisher, config.KAFKA_PUBLISH_TIMEOUT_MS, logger),
          inject: [CONNECTORS, WebhookSourceStore, REDIS, EVENT_PUBLISHER],
        },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, redis: Redis | null) => {
            const admin: Admin = kafka.admin();
            return [
              postgresIndicator(dataSource),
              kafkaIndicator(admin),
              // Redis only speeds up dedupe here; without it the gateway still accepts safely.
              ...(redis ? [redisIndicator(() => redis.ping(), false)] : []),
            ];
          },
          inject: [DATA_SOURCE, KAFKA, REDIS],
        },
      ],
    };
  }
}
