import { directDatabaseUrl } from '@activity/config';
import { hostname } from 'node:os';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AccountLinkStore, DATA_SOURCE, GatewayShardStateStore } from '@activity/persistence';
import { LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { ConnectorRegistry, GatewayShardSupervisor, RecordActivity, UseCasesModule } from '@activity/use-cases';
import type { ConnectorWorkersConfig } from '../connector-workers.config';

@Injectable()
class GatewayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(GatewayShardSupervisor) private readonly supervisor: GatewayShardSupervisor,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.connectors.list().some((connector) => connector.runtime.gateway)) return;
    await this.supervisor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.supervisor.stop();
  }
}

/**
 * Long-lived upstream connections (e.g. a Discord Gateway): one owner per shard across workers.
 * `gateway_shards_owned{connector}` shows who runs what (a worker owning none is normal).
 */
@Module({
  imports: [UseCasesModule],
  providers: [
    {
      provide: GatewayShardSupervisor,
      useFactory: (
        config: ConnectorWorkersConfig,
        dataSource: DataSource,
        connectors: ConnectorRegistry,
        activity: RecordActivity,
        states: GatewayShardStateStore,
        links: AccountLinkStore,
        logger: Logger,
      ) =>
        new GatewayShardSupervisor(
          dataSource,
          connectors,
          activity,
          states,
          links,
          { databaseUrl: directDatabaseUrl(config), owner: `${hostname()}:${process.pid}`, claimIntervalMs: config.GATEWAY_CLAIM_INTERVAL_MS, restartDelayMs: 5_000 },
          logger.child({ component: 'gateway' }),
        ),
      inject: [SERVICE_CONFIG, DATA_SOURCE, ConnectorRegistry, RecordActivity, GatewayShardStateStore, AccountLinkStore, LOGGER],
    },
    GatewayLifecycle,
  ],
})
export class GatewayModule {}
