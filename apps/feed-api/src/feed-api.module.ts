import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, MetricsController } from '@activity/http';
import { PersistenceModule } from '@activity/persistence';
import { InfrastructureModule } from '@activity/platform';
import { ConnectorsModule, type ConfiguredConnector } from '@activity/use-cases';
import { AccessModule } from './access/access.module';
import { AccountsModule } from './accounts/accounts.module';
import type { FeedApiConfig } from './feed-api.config';
import { ReplicaModule } from './replica/replica.module';
import { FeedModule } from './feed/feed.module';
import { InternalModule } from './internal/internal.module';
import { NotificationsModule } from './notifications/notifications.module';
import { WebhookSourcesModule } from './webhook-sources/webhook-sources.module';

/** feed-api: player feeds, real-time, unread counts, account links, webhook sources and first-party intake, one feature module each. */
@Module({})
export class FeedApiModule {
  static forRoot(config: FeedApiConfig, connectors: readonly ConfiguredConnector[], logger: Logger): DynamicModule {
    return {
      module: FeedApiModule,
      imports: [
        // Reads keep working without Kafka or Redis; only real-time, caching and shared limits degrade.
        InfrastructureModule.forRoot({ service: 'feed-api', config, logger, critical: { kafka: false } }),
        PersistenceModule,
        ReplicaModule,
        ConnectorsModule.forRoot(connectors, { publicUrl: config.FEED_API_PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}` }),
        AccessModule,
        FeedModule,
        AccountsModule,
        InternalModule,
        NotificationsModule,
        WebhookSourcesModule,
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
