import { Module } from '@nestjs/common';
import { SecretCipher, TenantWebhookSourceStore } from '@activity/persistence';
import { SERVICE_CONFIG } from '@activity/platform';
import type { FeedApiConfig } from '../feed-api.config';
import { WebhookSourcesController } from './webhook-sources.controller';
import { WebhookSourcesService } from './webhook-sources.service';

/** `/v2/webhook-sources`: tenant admins manage their sources, secrets and mapping rules. */
@Module({
  controllers: [WebhookSourcesController],
  providers: [
    { provide: SecretCipher, useFactory: (config: FeedApiConfig) => SecretCipher.fromSettings(config), inject: [SERVICE_CONFIG] },
    TenantWebhookSourceStore,
    WebhookSourcesService,
  ],
})
export class WebhookSourcesModule {}
