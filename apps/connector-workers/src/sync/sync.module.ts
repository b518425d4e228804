import { directDatabaseUrl } from '@activity/config';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AccountLinkStore, DATA_SOURCE, OutboxStore } from '@activity/persistence';
import { LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { ConnectorRegistry, SyncScheduler, UseCasesModule } from '@activity/use-cases';
import type { ConnectorWorkersConfig } from '../connector-workers.config';
import { SyncRequestsController } from './sync-requests.controller';

@Injectable()
class SchedulerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SyncScheduler) private readonly scheduler: SyncScheduler) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}

/** Sync runs (on request and on new links) and the periodic scheduler (one leader across workers). */
@Module({
  imports: [UseCasesModule],
  controllers: [SyncRequestsController],
  providers: [
    {
      provide: SyncScheduler,
      useFactory: (config: ConnectorWorkersConfig, dataSource: DataSource, links: AccountLinkStore, outbox: OutboxStore, registry: ConnectorRegistry, logger: Logger) =>
        new SyncScheduler(
          dataSource,
          links,
          outbox,
          {
            databaseUrl: directDatabaseUrl(config),
            tickMs: config.SYNC_SCHEDULER_TICK_MS,
            takeoverMs: config.SYNC_SCHEDULER_TAKEOVER_MS,
            intervalSeconds: config.SYNC_INTERVAL_MINUTES * 60,
            batchSize: config.SYNC_BATCH_SIZE,
            providers: registry.syncing(),
          },
          logger,
        ),
      inject: [SERVICE_CONFIG, DATA_SOURCE, AccountLinkStore, OutboxStore, ConnectorRegistry, LOGGER],
    },
    SchedulerLifecycle,
  ],
})
export class SyncModule {}
