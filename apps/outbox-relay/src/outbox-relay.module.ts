import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, MetricsController } from '@activity/http';
import { PersistenceModule } from '@activity/persistence';
import { InfrastructureModule } from '@activity/platform';
import type { OutboxRelayConfig } from './outbox-relay.config';
import { RelayModule } from './relay/relay.module';

export { relayOptions } from './relay/relay-options';

@Module({})
export class OutboxRelayModule {
  static forRoot(config: OutboxRelayConfig, logger: Logger): DynamicModule {
    return {
      module: OutboxRelayModule,
      imports: [InfrastructureModule.forRoot({ service: 'outbox-relay', config, logger }), PersistenceModule, RelayModule],
      controllers: [HealthController, MetricsController],
    };
  }
}
