import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EventPublisher } from '@activity/messaging';
import { OutboxStore } from '@activity/persistence';
import { DATA_SOURCE, EVENT_PUBLISHER, infrastructureProviders, KAFKA, LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { HEALTH_INDICATORS, postgresIndicator } from '@activity/observability';
import { HealthController, MetricsController } from '@activity/http';
import { kafkaIndicator } from '@activity/messaging';
import type { OutboxRelayConfig } from './outbox-relay.config';
import { OutboxNotifications } from './relay/outbox-notifications';
import { OutboxRelay, registerOutboxGauges } from './relay/outbox-relay';

export function relayOptions(config: OutboxRelayConfig) {
  return {
    batchSize: config.OUTBOX_BATCH_SIZE,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
    backoff: { baseMs: config.OUTBOX_BACKOFF_BASE_MS, maxMs: config.OUTBOX_BACKOFF_MAX_MS, maxAttempts: config.OUTBOX_MAX_ATTEMPTS },
  };
}

/** Starts the relay loop and its LISTEN connection with the app, and stops both before connections close. */
@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly notifications: OutboxNotifications;

  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(SERVICE_CONFIG) config: OutboxRelayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.notifications = new OutboxNotifications(config.DATABASE_URL, () => relay.notify(), logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.notifications.stop();
    await this.relay.stop();
  }
}

@Module({})
export class OutboxRelayModule {
  static forRoot(config: OutboxRelayConfig, logger: Logger): DynamicModule {
    return {
      module: OutboxRelayModule,
      controllers: [HealthController, MetricsController],
      providers: [
        ...infrastructureProviders('outbox-relay', config, logger),
        {
          provide: OutboxRelay,
          useFactory: (dataSource: DataSource, publisher: EventPublisher) => {
            const store = new OutboxStore(dataSource);
            registerOutboxGauges(store);
            return new OutboxRelay(store, publisher, relayOptions(config), logger);
          },
          inject: [DATA_SOURCE, EVENT_PUBLISHER],
        },
        RelayLifecycle,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, relay: OutboxRelay) => [
            postgresIndicator(dataSource),
            kafkaIndicator(kafka.admin()),
            {
              name: 'relay',
              critical: true,
              check: async () => {
                if (!relay.isRunning) throw new Error('relay loop is not running');
              },
            },
          ],
          inject: [DATA_SOURCE, KAFKA, OutboxRelay],
        },
      ],
    };
  }
}
