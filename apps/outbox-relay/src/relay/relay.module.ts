import { directDatabaseUrl } from '@activity/config';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EventPublisher } from '@activity/messaging';
import { HealthRegistry } from '@activity/observability';
import { OutboxStore, PgChannelListener } from '@activity/persistence';
import { EVENT_PUBLISHER, LOGGER, SERVICE_CONFIG } from '@activity/platform';
import type { OutboxRelayConfig } from '../outbox-relay.config';
import { OutboxRelay, registerOutboxGauges } from './outbox-relay';
import { relayOptions } from './relay-options';

/** Starts the relay loop and its LISTEN connection with the app, and stops both before connections close. */
@Injectable()
class RelayLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly notifications: PgChannelListener;

  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(SERVICE_CONFIG) config: OutboxRelayConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    // A trigger NOTIFYs outbox_pending on insert; polling remains the fallback.
    this.notifications = new PgChannelListener(
      { databaseUrl: directDatabaseUrl(config), channel: 'outbox_pending', applicationName: 'outbox-relay-listen', onNotify: () => relay.notify() },
      logger,
    );
  }

  onModuleInit(): void {
    this.health.add({
      name: 'relay',
      critical: true,
      check: async () => {
        if (!this.relay.isRunning) throw new Error('relay loop is not running');
      },
    });
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

/** The relay: publishes committed outbox rows to Kafka, woken by NOTIFY and a poll. */
@Module({
  providers: [
    {
      provide: OutboxRelay,
      useFactory: (store: OutboxStore, publisher: EventPublisher, config: OutboxRelayConfig, logger: Logger) => {
        registerOutboxGauges(store);
        return new OutboxRelay(store, publisher, relayOptions(config), logger);
      },
      inject: [OutboxStore, EVENT_PUBLISHER, SERVICE_CONFIG, LOGGER],
    },
    RelayLifecycle,
  ],
})
export class RelayModule {}
