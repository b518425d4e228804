import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { metricsRegistry } from '@activity/observability';

const reads = new Counter({
  name: 'db_replica_routing_total',
  help: 'Reads that could go to the replica, by where they went and why: replica; primary (no replica, replica lagging or unreachable, or the caller wrote something the replica has not replayed)',
  labelNames: ['target', 'reason'] as const,
  registers: [metricsRegistry],
});
const lagGauge = new Gauge({
  name: 'db_replica_lag_seconds',
  help: 'How far the replica is behind the primary (seconds since the primary first passed the position the replica has replayed); -1 when unreachable',
  registers: [metricsRegistry],
});

/** "16/B374D848" (pg_lsn text) as a number of bytes. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export interface ReplicaRoutingOptions {
  /** Past this lag, reads go to the primary. */
  readonly maxLagMs: number;
  /** How often the replica's position is checked. */
  readonly pollMs?: number;
  /** How long a caller's write is remembered for read-your-writes. */
  readonly writeMemoryMs?: number;
}

/**
 * Chooses between the primary and a streaming replica for reads that may be slightly stale:
 * - the replica only while it is reachable and no more than `maxLagMs` behind (checked every
 *   `pollMs` by comparing the primary's WAL position with the replica's replayed one);
 * - read-your-writes: after a caller's own write (`noteWrite`), the caller's reads go to the
 *   primary until the replica has replayed past that write. The write positions are kept in Redis
 *   (every instance sees them); while Redis is unavailable, noted callers read from the primary.
 */
export class ReplicaRouting {
  private replayed: bigint | undefined;
  private lagMs = Number.POSITIVE_INFINITY;
  private readonly samples: Array<{ lsn: bigint; at: number }> = [];
  private readonly localWrites = new Map<string, { lsn: bigint; until: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly primary: DataSource,
    private readonly replica: DataSource | null,
    private readonly redis: Redis | null,
    private readonly options: ReplicaRoutingOptions,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.replica !== null;
  }

  /** Whether reads may go to the replica now (reachable and within the lag bound). */
  get usable(): boolean {
    return this.replica !== null && this.replayed !== undefined && this.lagMs <= this.options.maxLagMs;
  }

  get currentLagMs(): number {
    return this.lagMs;
  }

  start(): void {
    if (!this.replica) return;
    this.stopped = false;
    const tick = async () => {
      await this.check();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.pollMs ?? 200);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One check of both positions (exposed for tests). */
  async check(): Promise<void> {
    if (!this.replica) return;
    const now = Date.now();
    try {
      if (!this.replica.isInitialized) await this.replica.initialize();
      const [primaryRows, replicaRows] = await Promise.all([
        this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`) as Promise<Array<{ lsn: string }>>,
        this.replica.query(`SELECT pg_last_wal_replay_lsn()::text AS lsn`) as Promise<Array<{ lsn: string | null }>>,
      ]);
      const primaryLsn = parseLsn(primaryRows[0]!.lsn);
      const replayed = replicaRows[0]?.lsn ? parseLsn(replicaRows[0].lsn) : undefined;
      this.samples.push({ lsn: primaryLsn, at: now });
      while (this.samples.length > 1 && this.samples[0]!.at < now - 120_000) this.samples.shift();
      this.replayed = replayed;
      if (replayed === undefined) this.lagMs = Number.POSITIVE_INFINITY;
      else if (replayed >= primaryLsn) this.lagMs = 0;
      else {
        // The primary has been ahead of what the replica replayed since the first sample past it.
        const firstAhead = this.samples.find((sample) => sample.lsn > replayed);
        this.lagMs = firstAhead ? now - firstAhead.at : 0;
      }
    } catch (error) {
      if (this.replayed !== undefined) this.logger.warn({ err: (error as Error).message }, 'replica unavailable; reading from the primary');
      this.replayed = undefined;
      this.lagMs = Number.POSITIVE_INFINITY;
    }
    lagGauge.set(Number.isFinite(this.lagMs) ? this.lagMs / 1000 : -1);
  }

  /** After a write by `caller` (e.g. "tenant:user") commits: their next reads see it. */
  async noteWrite(caller: string): Promise<void> {
    if (!this.replica) return;
    const [{ lsn }] = (await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as [{ lsn: string }];
    const ttl = this.options.writeMemoryMs ?? 60_000;
    this.localWrites.set(caller, { lsn: parseLsn(lsn), until: Date.now() + ttl });
    if (this.localWrites.size > 100_000) this.localWrites.clear();
    await this.redis
      ?.set(`ryw:${caller}`, lsn, 'PX', ttl)
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'could not share a write position; other instances use their lag bound'));
  }

  /** `replicaValue` when `caller`'s read may go to the replica, else `primaryValue`. */
  async choose<T>(caller: string, primaryValue: T, replicaValue: T): Promise<T> {
    if (!this.replica) return primaryValue;
    if (!this.usable) {
      reads.inc({ target: 'primary', reason: this.replayed === undefined ? 'replica_unavailable' : 'replica_lagging' });
      return primaryValue;
    }
    const written = await this.lastWrite(caller);
    if (written === 'unknown' || (written !== undefined && this.replayed! < written)) {
      reads.inc({ target: 'primary', reason: 'read_your_writes' });
      return primaryValue;
    }
    reads.inc({ target: 'replica', reason: 'replica' });
    return replicaValue;
  }

  private async lastWrite(caller: string): Promise<bigint | undefined | 'unknown'> {
    const local = this.localWrites.get(caller);
    const localLsn = local && local.until > Date.now() ? local.lsn : undefined;
    if (!this.redis) return localLsn;
    try {
      const shared = await this.redis.get(`ryw:${caller}`);
      const sharedLsn = shared ? parseLsn(shared) : undefined;
      if (sharedLsn === undefined) return localLsn;
      return localLsn !== undefined && localLsn > sharedLsn ? localLsn : sharedLsn;
    } catch {
      return 'unknown';
    }
  }
}
