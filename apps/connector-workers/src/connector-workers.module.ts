import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createDefaultConnectorRegistry } from '@activity/connectors';
import { MemoryProcessedEvents, RedisProcessedEvents, type EventPublisher, type TopicNames } from '@activity/messaging';
import type Redis from 'ioredis';
import { AccountLinkStore, ActivityEventStore, OutboxStore } from '@activity/persistence';
import {
  DATA_SOURCE, EVENT_PUBLISHER, HEALTH_INDICATORS, HealthController, infrastructureProviders, KAFKA, kafkaIndicator, MetricsController, postgresIndicator, REDIS,
  TOPIC_NAMES,
} from '@activity/platform';
import type { ConnectorWorkersConfig } from './connector-workers.config';
import { WebhookNormalizer } from './normalizer/webhook-normalizer';
import { WebhookReceivedConsumer } from './normalizer/webhook-received.consumer';

@Module({})
export class ConnectorWorkersModule {
  static forRoot(config: ConnectorWorkersConfig, logger: Logger): DynamicModule {
    return {
      module: ConnectorWorkersModule,
      controllers: [HealthController, MetricsController],
      providers: [
        ...infrastructureProviders('connector-workers', config, logger),
        {
          provide: WebhookNormalizer,
          useFactory: (dataSource: DataSource) =>
            new WebhookNormalizer(dataSource, createDefaultConnectorRegistry(), new ActivityEventStore(dataSource), new AccountLinkStore(dataSource), new OutboxStore(dataSource), logger),
          inject: [DATA_SOURCE],
        },
        {
          provide: WebhookReceivedConsumer,
          useFactory: (kafka: Kafka, topics: TopicNames, publisher: EventPublisher, normalizer: WebhookNormalizer, redis: Redis | null) =>
            new WebhookReceivedConsumer(
              kafka,
              topics,
              publisher,
              normalizer,
              {
                concurrency: config.WEBHOOK_CONSUMER_CONCURRENCY,
                maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
                processed: redis ? new RedisProcessedEvents(redis) : new MemoryProcessedEvents(),
              },
              logger,
            ),
          inject: [KAFKA, TOPIC_NAMES, EVENT_PUBLISHER, WebhookNormalizer, REDIS],
        },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, consumer: WebhookReceivedConsumer) => [
            postgresIndicator(dataSource),
            kafkaIndicator(kafka.admin()),
            consumer.healthIndicator(),
          ],
          inject: [DATA_SOURCE, KAFKA, WebhookReceivedConsumer],
        },
      ],
    };
  }
}
