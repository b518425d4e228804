import { Client } from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { announce, MessageKey, Topic } from '@activity/messaging';
import type { AccountLinkStore, OutboxStore } from '@activity/persistence';
import { metricsRegistry } from '@activity/observability';

/** Session advisory lock key: whoever holds it is the one active scheduler. */
export const SCHEDULER_LOCK = 7_283_002;

const scheduled = new Counter({ name: 'sync_scheduled_total', help: 'Periodic syncs enqueued by the scheduler', registers: [metricsRegistry] });
const leading = new Gauge({ name: 'sync_scheduler_leader', help: '1 while this worker is the active sync scheduler', registers: [metricsRegistry] });

export interface SyncSchedulerOptions {
  readonly databaseUrl: string;
  readonly tickMs: number;
  /** How often a standby tries the lock: the bound on a take-over after the leader's session ends. */
  readonly takeoverMs?: number;
  readonly intervalSeconds: number;
  readonly batchSize: number;
  readonly providers: readonly string[];
}

/**
 * Enqueues a `sync.requested` for every link whose next sync is due, in batches. Every worker runs
 * one, but only the holder of a Postgres session advisory lock does anything; if that process
 * dies its session ends, the lock is freed and another worker takes over at its next tick.
 */
export class SyncScheduler {
  private client: Client | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private started = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: AccountLinkStore,
    private readonly outbox: OutboxStore,
    private readonly options: SyncSchedulerOptions,
    private readonly logger: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    // Once: a second loop would race the first for the lock and lose leadership to itself.
    if (this.started || !this.options.providers.length) return;
    this.started = true;
    const loop = () => {
      this.ticking = this.tick()
        .then(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.leader ? this.options.tickMs : Math.min(this.options.tickMs, this.options.takeoverMs ?? this.options.tickMs));
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const client = this.client;
    this.client = undefined;
    this.setLeader(false);
    await client?.end().catch(() => undefined);
  }

  /** One round: become leader if possible, then enqueue everything due. Returns quietly on errors (next tick retries). */
  async tick(): Promise<number> {
    try {
      if (!(await this.ensureLeadership())) return 0;
      let total = 0;
      for (;;) {
        const batch = await this.dataSource.transaction(async (manager) => {
          const due = await this.links.claimDue(manager, this.options.batchSize, this.options.intervalSeconds, this.options.providers);
          await this.outbox.enqueue(
            manager,
            due.map((link) =>
              announce(
                Topic.SyncRequested,
                link.tenantId,
                MessageKey.accountLink(link.tenantId, link.id),
                { tenantId: link.tenantId, accountLinkId: link.id, trigger: 'scheduled' },
                {
                  source: '/connector-workers/scheduler',
                  subject: link.id,
                },
              ),
            ),
          );
          return due.length;
        });
        total += batch;
        if (batch < this.options.batchSize || this.stopped) break;
      }
      if (total) {
        scheduled.inc(total);
        this.logger.info({ enqueued: total }, 'periodic syncs enqueued');
      }
      return total;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'scheduler tick failed; retrying next tick');
      return 0;
    }
  }

  private async ensureLeadership(): Promise<boolean> {
    if (this.leader && this.client) return true;
    if (!this.client) {
      const client = new Client({ connectionString: this.options.databaseUrl, application_name: 'sync-scheduler' });
      client.on('error', (error) => {
        this.logger.warn({ err: error.message }, 'scheduler lock connection lost');
        this.setLeader(false);
        this.client = undefined;
      });
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SCHEDULER_LOCK]);
    this.setLeader(rows[0]!.locked);
    if (this.leader) this.logger.info('this worker is now the active sync scheduler');
    return this.leader;
  }

  private setLeader(leader: boolean): void {
    this.leader = leader;
    leading.set(leader ? 1 : 0);
  }
}
