import { directDatabaseUrl } from '@activity/config';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AccountLinkStore, PgChannelListener, SecretCipher, UpstreamSubscriptionStore, WebhookSourceCache, WebhookSourceStore } from '@activity/persistence';
import { LOGGER, REDIS, SERVICE_CONFIG } from '@activity/platform';
import type { IngestGatewayConfig } from '../ingest-gateway.config';
import { DeliveryDeduplicator } from './delivery-deduplicator';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhooksController } from './webhooks.controller';

/** Keeps the source cache told about changes: a NOTIFY per changed source, everything after a reconnect. */
@Injectable()
class WebhookSourceChanges implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly listener: PgChannelListener;

  constructor(@Inject(WebhookSourceCache) cache: WebhookSourceCache, @Inject(SERVICE_CONFIG) config: IngestGatewayConfig, @Inject(LOGGER) logger: Logger) {
    this.listener = new PgChannelListener(
      {
        databaseUrl: directDatabaseUrl(config),
        channel: 'webhook_source_changed',
        applicationName: 'ingest-gateway-listen',
        onNotify: (key) => cache.invalidate(key),
        // Changes made while we were not listening were not heard: forget everything.
        onListening: () => cache.invalidate(),
      },
      logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }
}

/** The intake route of every webhook connector: handshakes, signatures, dedupe, `webhook.received`. */
@Module({
  controllers: [WebhooksController],
  providers: [
    { provide: SecretCipher, useFactory: (config: IngestGatewayConfig) => SecretCipher.fromSettings(config), inject: [SERVICE_CONFIG] },
    WebhookSourceStore,
    {
      provide: WebhookSourceCache,
      useFactory: (store: WebhookSourceStore, config: IngestGatewayConfig) => new WebhookSourceCache(store, { ttlMs: config.WEBHOOK_SOURCE_CACHE_TTL_MS }),
      inject: [WebhookSourceStore, SERVICE_CONFIG],
    },
    WebhookSourceChanges,
    {
      provide: DeliveryDeduplicator,
      useFactory: (config: IngestGatewayConfig, redis: Redis | null, logger: Logger) => new DeliveryDeduplicator(redis, config.WEBHOOK_DEDUPE_TTL_SECONDS, logger),
      inject: [SERVICE_CONFIG, REDIS, LOGGER],
    },
    // WebSub handshakes confirm only topics we subscribed to; a denied one is shown on its link.
    UpstreamSubscriptionStore,
    AccountLinkStore,
    WebhookIntakeService,
  ],
})
export class WebhooksModule {}
