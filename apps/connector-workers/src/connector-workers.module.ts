import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createConnectorRegistry, createSteamDependencies, type ConnectorRegistry, type SteamSettings, AccountLinkRecorder } from '@activity/connectors';
import { ConsumerRunner, MemoryProcessedEvents, RedisProcessedEvents, Topic, type EventPublisher, type InboundMessage, type TopicName, type TopicNames } from '@activity/messaging';
import { AccountLinkStore, ActivityEventStore, OutboxStore, SyncRunStore, AccountLinkClaimStore } from '@activity/persistence';
import { DATA_SOURCE, EVENT_PUBLISHER, infrastructureProviders, KAFKA, ManagedConsumer, REDIS, TOPIC_NAMES } from '@activity/platform';
import { HEALTH_INDICATORS, postgresIndicator, runWithMessageContext } from '@activity/observability';
import { HealthController, MetricsController } from '@activity/http';
import { kafkaIndicator } from '@activity/messaging';
import type { ConnectorWorkersConfig } from './connector-workers.config';
import { WebhookNormalizer } from './normalizer/webhook-normalizer';
import { AccountLinkedHandler } from './sync/account-linked.handler';
import { SyncRunner } from './sync/sync-runner';
import { SyncScheduler } from './sync/sync-scheduler';

const CONNECTORS = Symbol('CONNECTORS');
const WEBHOOK_CONSUMER = Symbol('WEBHOOK_CONSUMER');
const SYNC_CONSUMER = Symbol('SYNC_CONSUMER');
const LINK_CONSUMER = Symbol('LINK_CONSUMER');

export const CONSUMER_GROUPS = {
  webhooks: 'connector-workers.webhooks',
  sync: 'connector-workers.sync',
  links: 'connector-workers.links',
} as const;

@Injectable()
class SchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SyncScheduler) private readonly scheduler: SyncScheduler) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}

@Module({})
export class ConnectorWorkersModule {
  static forRoot(config: ConnectorWorkersConfig, steam: SteamSettings, logger: Logger): DynamicModule {
    const consumer = <T extends TopicName>(
      token: symbol,
      topic: T,
      groupId: string,
      concurrency: number,
      handler: (deps: { registry: ConnectorRegistry; dataSource: DataSource }) => (message: InboundMessage<T>) => Promise<void>,
    ) => ({
      provide: token,
      useFactory: (kafka: Kafka, topics: TopicNames, publisher: EventPublisher, redis: Redis | null, registry: ConnectorRegistry, dataSource: DataSource) => {
        const handle = handler({ registry, dataSource });
        return new ManagedConsumer(
          groupId,
          new ConsumerRunner(
            kafka,
            topics,
            publisher,
            {
              groupId,
              topic,
              partitionsConsumedConcurrently: concurrency,
              maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
              processed: redis ? new RedisProcessedEvents(redis) : new MemoryProcessedEvents(),
              handle: (message) => runWithMessageContext(message.event, () => handle(message)),
            },
            logger.child({ consumer: groupId }),
          ),
        );
      },
      inject: [KAFKA, TOPIC_NAMES, EVENT_PUBLISHER, REDIS, CONNECTORS, DATA_SOURCE],
    });

    return {
      module: ConnectorWorkersModule,
      controllers: [HealthController, MetricsController],
      providers: [
        ...infrastructureProviders('connector-workers', config, logger),
        {
          provide: CONNECTORS,
          useFactory: (redis: Redis | null) => {
            const steamDependencies = createSteamDependencies(steam, redis, logger);
            if (!steamDependencies) logger.warn('STEAM_API_KEY is not set: Steam links will not sync');
            return createConnectorRegistry(steamDependencies ? { steam: steamDependencies } : {});
          },
          inject: [REDIS],
        },
        consumer(WEBHOOK_CONSUMER, Topic.WebhookReceived, CONSUMER_GROUPS.webhooks, config.WEBHOOK_CONSUMER_CONCURRENCY, ({ registry, dataSource }) => {
          const links = new AccountLinkStore(dataSource);
          const outbox = new OutboxStore(dataSource);
          const normalizer = new WebhookNormalizer(dataSource, registry, new ActivityEventStore(dataSource), links, outbox, new AccountLinkClaimStore(), new AccountLinkRecorder(links, outbox, '/connector-workers'), logger);
          return (message) => normalizer.handle(message);
        }),
        consumer(SYNC_CONSUMER, Topic.SyncRequested, CONSUMER_GROUPS.sync, config.SYNC_CONCURRENCY, ({ registry, dataSource }) => {
          const runner = new SyncRunner(dataSource, registry, new AccountLinkStore(dataSource), new ActivityEventStore(dataSource), new SyncRunStore(), new OutboxStore(dataSource), logger);
          return (message) => runner.run(message.payload);
        }),
        consumer(LINK_CONSUMER, Topic.AccountLinked, CONSUMER_GROUPS.links, 2, ({ registry, dataSource }) => {
          const handler = new AccountLinkedHandler(dataSource, registry, new OutboxStore(dataSource));
          return (message) => handler.handle(message.payload);
        }),
        {
          provide: SyncScheduler,
          useFactory: (dataSource: DataSource, registry: ConnectorRegistry) =>
            new SyncScheduler(
              dataSource,
              new AccountLinkStore(dataSource),
              new OutboxStore(dataSource),
              {
                databaseUrl: config.DATABASE_URL,
                tickMs: config.SYNC_SCHEDULER_TICK_MS,
                intervalSeconds: config.SYNC_INTERVAL_MINUTES * 60,
                batchSize: config.SYNC_BATCH_SIZE,
                providers: registry.list().filter((c) => c.describe().canSync).map((c) => c.describe().name),
              },
              logger,
            ),
          inject: [DATA_SOURCE, CONNECTORS],
        },
        SchedulerLifecycle,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, ...consumers: Array<ManagedConsumer<TopicName>>) => [
            postgresIndicator(dataSource),
            kafkaIndicator(kafka.admin()),
            ...consumers.flatMap((c) => c.healthIndicators()),
          ],
          inject: [DATA_SOURCE, KAFKA, WEBHOOK_CONSUMER, SYNC_CONSUMER, LINK_CONSUMER],
        },
      ],
    };
  }
}
