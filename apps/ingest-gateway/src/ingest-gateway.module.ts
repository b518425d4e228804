import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, MetricsController } from '@activity/http';
import { InfrastructureModule } from '@activity/platform';
import { ConnectorsModule, type ConfiguredConnector } from '@activity/use-cases';
import type { IngestGatewayConfig } from './ingest-gateway.config';
import { WebhooksModule } from './webhooks/webhooks.module';

/** ingest-gateway: verifies and publishes webhook deliveries; needs no upstream clients. */
@Module({})
export class IngestGatewayModule {
  static forRoot(config: IngestGatewayConfig, connectors: readonly ConfiguredConnector[], logger: Logger): DynamicModule {
    return {
      module: IngestGatewayModule,
      imports: [
        InfrastructureModule.forRoot({ service: 'ingest-gateway', config, logger }),
        ConnectorsModule.forRoot(connectors, { publicUrl: `http://127.0.0.1:${config.PORT}` }),
        WebhooksModule,
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
