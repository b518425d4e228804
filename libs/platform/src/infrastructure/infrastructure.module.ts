import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CommonConfig } from '@activity/config';
import {
  awaitGroupCoordinator,
  createKafka,
  EventPublisher,
  type KafkaClient,
  KafkaConsumerTransport,
  kafkaIndicator,
  MemoryProcessedEvents,
  RedisProcessedEvents,
  TopicNames,
  type KafkaConsumerTransportOptions,
} from '@activity/messaging';
import { MessagesModule } from '@activity/i18n';
import { HealthRegistry, postgresIndicator, redisIndicator, shutdownTracing } from '@activity/observability';
import { DATA_SOURCE, createDataSource } from '@activity/persistence';
import { EVENT_PUBLISHER, KAFKA, LOGGER, REDIS, SERVICE_CONFIG, TOPIC_NAMES } from './infrastructure.tokens';

export interface InfrastructureOptions {
  readonly service: string;
  readonly config: CommonConfig;
  readonly logger: Logger;
  /** Which shared clients the service cannot work without (readiness goes down without them). */
  readonly critical?: { readonly kafka?: boolean };
  /** Settings for the app's `@EventPattern` consumers. */
  readonly consumers?: Omit<KafkaConsumerTransportOptions, 'processed'>;
}

const TOKENS = [SERVICE_CONFIG, LOGGER, DATA_SOURCE, TOPIC_NAMES, KAFKA, EVENT_PUBLISHER, REDIS];

/**
 * The logger, Postgres, Kafka and Redis clients, the health registry and the Kafka consumer
 * transport, built once per process from the service's config and available to every feature
 * module. InfrastructureShutdown closes the clients after Nest has stopped what uses them.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const { service, config, logger } = options;
    return {
      module: InfrastructureModule,
      // Every text a person reads (problem responses, summaries), the platform's and each connector's.
      imports: [MessagesModule.forRoot()],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: DATA_SOURCE,
          useFactory: async () => createDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: service }).initialize(),
        },
        { provide: TOPIC_NAMES, useValue: new TopicNames(config.KAFKA_TOPIC_PREFIX) },
        { provide: KAFKA, useFactory: () => createKafka({ brokers: config.KAFKA_BROKERS, clientId: service }, logger) },
        { provide: EVENT_PUBLISHER, useFactory: (kafka: KafkaClient, topics: TopicNames) => new EventPublisher(kafka, topics), inject: [KAFKA, TOPIC_NAMES] },
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
        {
          provide: HealthRegistry,
          useFactory: (dataSource: DataSource, kafka: KafkaClient, redis: Redis | null) =>
            new HealthRegistry([
              postgresIndicator(dataSource),
              kafkaIndicator(kafka.admin(), options.critical?.kafka ?? true),
              // Redis only speeds things up and shares limits; every use degrades without it.
              ...(redis ? [redisIndicator(() => redis.ping(), false)] : []),
            ]),
          inject: [DATA_SOURCE, KAFKA, REDIS],
        },
        {
          provide: KafkaConsumerTransport,
          useFactory: (kafka: KafkaClient, topics: TopicNames, publisher: EventPublisher, redis: Redis | null, health: HealthRegistry) =>
            new KafkaConsumerTransport(
              kafka,
              topics,
              publisher,
              health,
              {
                ...options.consumers,
                processed: redis ? new RedisProcessedEvents(redis) : new MemoryProcessedEvents(),
                awaitCoordinator: (group) => awaitGroupCoordinator(config.KAFKA_BROKERS, group, logger),
              },
              logger,
            ),
          inject: [KAFKA, TOPIC_NAMES, EVENT_PUBLISHER, REDIS, HealthRegistry],
        },
        InfrastructureShutdown,
      ],
      exports: [...TOKENS, HealthRegistry, KafkaConsumerTransport],
    };
  }
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
