import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { SecretCipher, WebhookSourceStore } from '@activity/persistence';
import { LOGGER, REDIS, SERVICE_CONFIG } from '@activity/platform';
import type { IngestGatewayConfig } from '../ingest-gateway.config';
import { DeliveryDeduplicator } from './delivery-deduplicator';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhooksController } from './webhooks.controller';

/** The intake route of every webhook connector: handshakes, signatures, dedupe, `webhook.received`. */
@Module({
  controllers: [WebhooksController],
  providers: [
    { provide: SecretCipher, useFactory: (config: IngestGatewayConfig) => SecretCipher.fromSettings(config), inject: [SERVICE_CONFIG] },
    WebhookSourceStore,
    {
      provide: DeliveryDeduplicator,
      useFactory: (config: IngestGatewayConfig, redis: Redis | null, logger: Logger) => new DeliveryDeduplicator(redis, config.WEBHOOK_DEDUPE_TTL_SECONDS, logger),
      inject: [SERVICE_CONFIG, REDIS, LOGGER],
    },
    WebhookIntakeService,
  ],
})
export class WebhooksModule {}
