import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, MetricsController } from '@activity/http';
import { PersistenceModule } from '@activity/persistence';
import { InfrastructureModule } from '@activity/platform';
import { ConnectorsModule, type ConfiguredConnector } from '@activity/use-cases';
import type { ConnectorWorkersConfig } from './connector-workers.config';
import { CONSUMER_GROUPS } from './consumer-groups';
import { GatewayModule } from './gateway/gateway.module';
import { LinkPreviewsModule } from './link-previews/link-previews.module';
import { SyncModule } from './sync/sync.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export { CONSUMER_GROUPS };

/** connector-workers: HTTP serves only /health and /metrics; the work arrives over Kafka. */
@Module({})
export class ConnectorWorkersModule {
  static forRoot(config: ConnectorWorkersConfig, connectors: readonly ConfiguredConnector[], logger: Logger): DynamicModule {
    return {
      module: ConnectorWorkersModule,
      imports: [
        InfrastructureModule.forRoot({
          service: 'connector-workers',
          config,
          logger,
          consumers: {
            maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
            groups: {
              [CONSUMER_GROUPS.webhooks]: { concurrency: config.WEBHOOK_CONSUMER_CONCURRENCY, batch: config.WEBHOOK_BATCH_SIZE },
              [CONSUMER_GROUPS.sync]: { concurrency: config.SYNC_CONCURRENCY, batch: config.SYNC_CONSUMER_BATCH_SIZE },
            },
          },
        }),
        PersistenceModule,
        ConnectorsModule.forRoot(connectors, { publicUrl: `http://127.0.0.1:${config.PORT}` }),
        WebhooksModule,
        SyncModule,
        GatewayModule,
        LinkPreviewsModule,
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
