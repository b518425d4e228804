import { Global, Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { HealthRegistry } from '@activity/observability';
import { AccountLinkStore, ActivityEventStore, createDataSource, DATA_SOURCE, ReplicaRouting } from '@activity/persistence';
import { LOGGER, REDIS, SERVICE_CONFIG } from '@activity/platform';
import type { FeedApiConfig } from '../feed-api.config';

/** Stores reading from the streaming replica (the primary's own stores when there is none). */
export class ReplicaStores {
  constructor(
    readonly events: ActivityEventStore,
    readonly links: AccountLinkStore,
    readonly dataSource: DataSource | null,
  ) {}
}

@Injectable()
class ReplicaLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ReplicaRouting) private readonly routing: ReplicaRouting,
    @Inject(ReplicaStores) private readonly stores: ReplicaStores,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    if (!this.routing.configured) return;
    // Degraded, not down: reads fall back to the primary.
    this.health.add({
      name: 'replica',
      critical: false,
      check: async () => {
        if (!this.routing.usable) throw new Error(`replica not used: ${Number.isFinite(this.routing.currentLagMs) ? `${this.routing.currentLagMs} ms behind` : 'unreachable'}`);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.routing.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.routing.stop();
    await this.stores.dataSource?.destroy().catch(() => undefined);
  }
}

/**
 * Feed reads that may be slightly stale (pages past the first, filtered pages, v1, the account
 * list) go to DATABASE_REPLICA_URL when it is set, within FEED_REPLICA_MAX_LAG_MS and with
 * read-your-writes (see ReplicaRouting). First pages (cached, and filled only from the primary,
 * so a notified event is never hidden), real-time catch-up, unread counts and writes stay on the primary.
 */
@Global()
@Module({
  providers: [
    {
      provide: ReplicaStores,
      useFactory: async (config: FeedApiConfig, events: ActivityEventStore, links: AccountLinkStore) => {
        if (!config.DATABASE_REPLICA_URL) return new ReplicaStores(events, links, null);
        // Lazy: a replica that is down at start only means reads go to the primary until it is back.
        const replica = createDataSource({ url: config.DATABASE_REPLICA_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: 'feed-api-replica' });
        await replica.initialize().catch(() => undefined);
        return new ReplicaStores(new ActivityEventStore(replica), new AccountLinkStore(replica), replica);
      },
      inject: [SERVICE_CONFIG, ActivityEventStore, AccountLinkStore],
    },
    {
      provide: ReplicaRouting,
      useFactory: (config: FeedApiConfig, primary: DataSource, stores: ReplicaStores, redis: Redis | null, logger: Logger) =>
        new ReplicaRouting(primary, stores.dataSource, redis, { maxLagMs: config.FEED_REPLICA_MAX_LAG_MS }, logger),
      inject: [SERVICE_CONFIG, DATA_SOURCE, ReplicaStores, REDIS, LOGGER],
    },
    ReplicaLifecycle,
  ],
  exports: [ReplicaStores, ReplicaRouting],
})
export class ReplicaModule {}
