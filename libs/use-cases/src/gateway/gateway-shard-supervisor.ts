import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { GatewayConnection, GatewaySink, NormalizedEvent } from '@activity/connector-sdk';
import { metricsRegistry } from '@activity/observability';
import { inTenantTransaction, type AccountLinkStore, type GatewayShardStateStore } from '@activity/persistence';
import type { RecordActivity } from '../activity/record-activity';
import type { ConnectorRegistry } from '../connectors/connector-registry';

const SOURCE = '/connector-workers/gateway';

const ownedShards = new Gauge({
  name: 'gateway_shards_owned',
  help: 'Gateway shards this worker runs, by connector (across workers each shard has exactly one owner)',
  labelNames: ['connector'] as const,
  registers: [metricsRegistry],
});

export interface GatewayShardSupervisorOptions {
  /** A direct connection string: the shard leases are session advisory locks on it. */
  readonly databaseUrl: string;
  /** Names this worker in the saved state and logs. */
  readonly owner: string;
  /** How often a worker tries to take a shard nobody runs. */
  readonly claimIntervalMs: number;
  /** After a shard's run ends or fails, how long its owner waits before running it again. */
  readonly restartDelayMs: number;
}

interface Shard {
  readonly connector: string;
  readonly gateway: GatewayConnection;
  readonly id: number;
  readonly count: number;
}

/**
 * Runs the connectors' long-lived upstream connections (gateway shards) with exactly one owner
 * per shard across every connector-workers replica. Ownership is a Postgres session advisory lock
 * per shard (`hashtext('gateway:<connector>')`, shard id) on one connection of this worker: if
 * the worker dies its session ends, the locks go with it, and another worker takes the shard over
 * at its next claim attempt, starting from the state the last owner saved. If this worker loses
 * its lock connection, it stops every shard it ran at once (it no longer owns them).
 */
export class GatewayShardSupervisor {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly running = new Map<string, AbortController>();
  private readonly loops: Array<Promise<void>> = [];
  private readonly stopping = new AbortController();
  private attempts = 0;
  /** The lease connection runs one statement at a time; the shards' claim loops take turns. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly activity: RecordActivity,
    private readonly states: GatewayShardStateStore,
    private readonly links: AccountLinkStore,
    private readonly options: GatewayShardSupervisorOptions,
    private readonly logger: Logger,
  ) {}

  /** Lease attempts so far (taken or not): lets a caller wait for claims to have happened. */
  get claimAttempts(): number {
    return this.attempts;
  }

  /** The shards this worker runs now, as `connector/shard`. */
  owned(): string[] {
    return [...this.running.keys()].sort();
  }

  /** Starts a claim loop per shard of every connector that has a gateway. */
  async start(): Promise<void> {
    for (const connector of this.connectors.list()) {
      const gateway = connector.runtime.gateway;
      if (gateway) this.loops.push(this.startConnector(connector.name, gateway));
    }
  }

  /** Asks how many shards the connector has (an upstream call: it may fail, then it is asked again), then claims them. */
  private async startConnector(name: string, gateway: GatewayConnection): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        const count = await gateway.shardCount();
        const loops = Array.from({ length: count }, (_, id) => this.claimLoop({ connector: name, gateway, id, count }));
        await Promise.all(loops);
        return;
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, connector: name }, 'gateway shard count unavailable; asking again after a pause');
        await sleep(this.options.restartDelayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** Stops every shard, releases the leases and closes the lock connection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled(this.loops);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async claimLoop(shard: Shard): Promise<void> {
    const key = `${shard.connector}/${shard.id}`;
    while (!this.stopping.signal.aborted) {
      let lock: Client | undefined;
      try {
        lock = await this.lockClient();
        if (this.stopping.signal.aborted) break;
        this.attempts += 1;
        const [{ locked }] = (await this.serially(() => lock!.query(`SELECT pg_try_advisory_lock(hashtext($1), $2) AS locked`, [`gateway:${shard.connector}`, shard.id]))).rows as [
          { locked: boolean },
        ];
        if (locked) {
          await this.runOwned(shard, key);
          // A lost connection took the lease with it (and a dead client never answers): unlock only on a live one.
          if (this.client === lock)
            await this.serially(() => lock!.query(`SELECT pg_advisory_unlock(hashtext($1), $2)`, [`gateway:${shard.connector}`, shard.id])).catch(() => undefined);
          await sleep(this.options.restartDelayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
          continue;
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, shard: key }, 'gateway shard claim failed; trying again');
      }
      await sleep(this.options.claimIntervalMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  private async runOwned(shard: Shard, key: string): Promise<void> {
    // Stopping may have begun while the lease was being taken: such a run ends at once.
    const controller = new AbortController();
    const stop = () => controller.abort();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    if (this.stopping.signal.aborted) controller.abort();
    this.running.set(key, controller);
    ownedShards.inc({ connector: shard.connector });
    const saved = await this.states.load(shard.connector, shard.id);
    this.logger.info({ shard: key, previousOwner: saved?.owner ?? null }, 'gateway shard taken');
    const sink: GatewaySink = {
      emit: (tenantId: string, events: NormalizedEvent[]) => this.record(tenantId, events),
      emitToLinked: (provider: string, events: NormalizedEvent[]) => this.recordWhereLinked(provider, events),
      saveState: (state) => this.states.save(shard.connector, shard.id, state, this.options.owner),
    };
    try {
      await shard.gateway.run({ id: shard.id, count: shard.count }, saved?.state ?? {}, sink, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) this.logger.warn({ err: (error as Error).message, shard: key }, 'gateway shard failed; it runs again after a pause');
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
      this.running.delete(key);
      ownedShards.dec({ connector: shard.connector });
    }
  }

  private async record(tenantId: string, events: NormalizedEvent[]): Promise<void> {
    if (!events.length) return;
    await inTenantTransaction(this.dataSource, tenantId, (tx) => this.activity.recordForAccounts(tx, events, SOURCE));
  }

  /** Each event goes to every tenant that has its account linked, named as that tenant's link names the player. */
  private async recordWhereLinked(provider: string, events: NormalizedEvent[]): Promise<void> {
    if (!events.length) return;
    const links = await this.links.liveLinksOf(
      provider,
      events.map((event) => event.externalAccountId),
    );
    const perTenant = new Map<string, NormalizedEvent[]>();
    for (const link of links) {
      const mine = events
        .filter((event) => event.externalAccountId === link.externalId)
        .map((event) => (event.actor.name || !link.displayName ? event : { ...event, actor: { ...event.actor, name: link.displayName } }));
      perTenant.set(link.tenantId, [...(perTenant.get(link.tenantId) ?? []), ...mine]);
    }
    for (const [tenantId, tenantEvents] of perTenant) await this.record(tenantId, tenantEvents);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One session for every lease of this worker; losing it loses them all. */
  private lockClient(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.options.databaseUrl, application_name: `gateway-shards:${this.options.owner}`.slice(0, 63) });
      const lost = (reason: string) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.logger.warn({ reason, shards: this.owned() }, 'gateway lease connection lost: stopping the shards it held');
        for (const controller of this.running.values()) controller.abort();
        void client.end().catch(() => undefined);
      };
      client.on('error', (error: Error) => lost(error.message));
      client.on('end', () => lost('connection ended'));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}
