import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CommonConfig } from '@activity/config';
import { createKafka, EventPublisher, TopicNames } from '@activity/messaging';
import { createDataSource } from '@activity/persistence';
import { shutdownTracing } from '@activity/observability';
import { DATA_SOURCE, EVENT_PUBLISHER, KAFKA, LOGGER, REDIS, SERVICE_CONFIG, TOPIC_NAMES } from './infrastructure.tokens';

/**
 * Providers for the logger, Postgres, Kafka and Redis clients, built from the service's config.
 * Each client is created once per process and closed by InfrastructureShutdown, after Nest has
 * stopped the components that use them.
 */
export function infrastructureProviders(service: string, config: CommonConfig, logger: Logger): Provider[] {
  return [
    { provide: SERVICE_CONFIG, useValue: config },
    { provide: LOGGER, useValue: logger },
    {
      provide: DATA_SOURCE,
      useFactory: async () => {
        const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: service });
        return dataSource.initialize();
      },
    },
    { provide: TOPIC_NAMES, useValue: new TopicNames(config.KAFKA_TOPIC_PREFIX) },
    { provide: KAFKA, useFactory: () => createKafka({ brokers: config.KAFKA_BROKERS, clientId: service }, logger) },
    { provide: EVENT_PUBLISHER, useFactory: (kafka: Kafka, topics: TopicNames) => new EventPublisher(kafka, topics), inject: [KAFKA, TOPIC_NAMES] },
    {
      provide: REDIS,
      useFactory: async () => {
        if (!config.REDIS_URL) return null;
        // Fail fast instead of queueing while Redis is down: callers degrade (see each use).
        const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
        redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis error'));
        await redis.connect().catch((error: Error) => logger.warn({ err: error.message }, 'redis unavailable at start; will keep retrying'));
        return redis;
      },
    },
    InfrastructureShutdown,
  ];
}

@Injectable()
export class InfrastructureShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.publisher.disconnect(), this.dataSource.destroy(), this.redis?.quit(), shutdownTracing()]);
    this.logger.info('connections closed');
  }
}
