import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { compositeKey } from '@activity/domain';
import type { FeedReadMarkerStore } from '@activity/persistence';
import { metricsRegistry } from '@activity/observability';

/** Counts above this are reported as "1000+": exact numbers past it cost more than a badge is worth. */
export const UNREAD_CAP = 1000;

export interface UnreadCount {
  /** Exact up to the cap, then the string "1000+". */
  readonly count: number | `${typeof UNREAD_CAP}+`;
  readonly capped: boolean;
}

const cacheRequests = new Counter({
  name: 'feed_unread_cache_requests_total',
  help: 'Unread-count cache lookups by result (hit, miss, bypass when Redis is unavailable)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

/**
 * Where cached counts live. Each user has a generation number; invalidating bumps it, and a
 * cached count is valid only for the generation it was computed under. That closes the race in
 * which a slow reader stores a count computed just before an invalidation.
 */
export interface UnreadCache {
  read(key: string): Promise<{ generation: number; cached?: { generation: number; count: number } }>;
  write(key: string, generation: number, count: number): Promise<void>;
  invalidate(key: string): Promise<void>;
}

export class RedisUnreadCache implements UnreadCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 300,
  ) {}

  async read(key: string) {
    const [generation, cached] = await this.redis.mget(`unread:gen:${key}`, `unread:count:${key}`);
    const parsed = cached ? (JSON.parse(cached) as { generation: number; count: number }) : undefined;
    return { generation: Number(generation ?? 0), ...(parsed ? { cached: parsed } : {}) };
  }

  async write(key: string, generation: number, count: number): Promise<void> {
    await this.redis.set(`unread:count:${key}`, JSON.stringify({ generation, count }), 'EX', this.ttlSeconds);
  }

  async invalidate(key: string): Promise<void> {
    await this.redis
      .multi()
      .incr(`unread:gen:${key}`)
      .expire(`unread:gen:${key}`, 7 * 24 * 3600)
      .exec();
  }
}

/** Single-instance fallback when REDIS_URL is not set. */
export class MemoryUnreadCache implements UnreadCache {
  private readonly generations = new Map<string, number>();
  private readonly counts = new Map<string, { generation: number; count: number }>();

  async read(key: string) {
    const cached = this.counts.get(key);
    return { generation: this.generations.get(key) ?? 0, ...(cached ? { cached } : {}) };
  }

  async write(key: string, generation: number, count: number): Promise<void> {
    this.counts.set(key, { generation, count });
  }

  async invalidate(key: string): Promise<void> {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }
}

export class UnreadCounter {
  constructor(
    private readonly markers: FeedReadMarkerStore,
    private readonly cache: UnreadCache,
    private readonly logger: Logger,
  ) {}

  async count(tenantId: string, userId: string): Promise<UnreadCount> {
    const key = compositeKey(tenantId, userId);
    let generation: number | undefined;
    try {
      const state = await this.cache.read(key);
      generation = state.generation;
      if (state.cached && state.cached.generation === state.generation) {
        cacheRequests.inc({ result: 'hit' });
        return present(state.cached.count);
      }
      cacheRequests.inc({ result: 'miss' });
    } catch (error) {
      cacheRequests.inc({ result: 'bypass' });
      this.logger.warn({ err: (error as Error).message }, 'unread cache unavailable; counting in the database');
    }
    const count = await this.markers.countUnread(tenantId, userId, UNREAD_CAP);
    if (generation !== undefined) await this.cache.write(key, generation, count).catch(() => undefined);
    return present(count);
  }

  async invalidate(tenantId: string, userId: string): Promise<void> {
    await this.cache.invalidate(`${tenantId}:${userId}`).catch((error: Error) => this.logger.warn({ err: error.message }, 'could not invalidate unread cache'));
  }
}

function present(count: number): UnreadCount {
  return count > UNREAD_CAP ? { count: `${UNREAD_CAP}+`, capped: true } : { count, capped: false };
}
