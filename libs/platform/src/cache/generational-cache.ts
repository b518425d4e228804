import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { metricsRegistry } from '@activity/observability';

const requests = new Counter({
  name: 'cache_requests_total',
  help: 'Lookups in generational caches (feed first pages, unread counts) by cache and result: hit, miss, bypass (cache unavailable or not trusted)',
  labelNames: ['cache', 'result'] as const,
  registers: [metricsRegistry],
});

/**
 * Where a generational cache keeps its entries. Each key (e.g. a user's feed) has a generation;
 * invalidating bumps it, and a value is served only for the generation it was computed under.
 * That closes the race in which a slow reader stores what it read just before a change: its
 * value is stored under the old generation and never served. A key has variants (a page per
 * locale and size, a count), all dropped by one bump.
 */
export interface GenerationalStore {
  read(key: string, variant: string): Promise<{ generation: number; value?: string }>;
  write(key: string, variant: string, generation: number, value: string): Promise<void>;
  invalidate(key: string): Promise<void>;
}

/** In Redis, shared by every instance: `<ns>:gen:<key>` and `<ns>:val:<key>:<variant>` = "<generation>\n<value>". */
export class RedisGenerationalStore implements GenerationalStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly ttlSeconds = 300,
  ) {}

  async read(key: string, variant: string): Promise<{ generation: number; value?: string }> {
    const [generation, stored] = await this.redis.mget(`${this.namespace}:gen:${key}`, `${this.namespace}:val:${key}:${variant}`);
    const current = Number(generation ?? 0);
    const split = stored ? stored.indexOf('\n') : -1;
    if (!stored || split < 0 || Number(stored.slice(0, split)) !== current) return { generation: current };
    return { generation: current, value: stored.slice(split + 1) };
  }

  async write(key: string, variant: string, generation: number, value: string): Promise<void> {
    await this.redis.set(`${this.namespace}:val:${key}:${variant}`, `${generation}\n${value}`, 'EX', this.ttlSeconds);
  }

  async invalidate(key: string): Promise<void> {
    // Outlives every value (they expire after ttlSeconds), so a generation never goes back to one a value was stored under.
    await this.redis
      .multi()
      .incr(`${this.namespace}:gen:${key}`)
      .expire(`${this.namespace}:gen:${key}`, Math.max(7 * 24 * 3600, this.ttlSeconds * 2))
      .exec();
  }
}

/** Single-instance fallback when REDIS_URL is not set. */
export class MemoryGenerationalStore implements GenerationalStore {
  private readonly generations = new Map<string, number>();
  private readonly values = new Map<string, { generation: number; value: string }>();

  async read(key: string, variant: string): Promise<{ generation: number; value?: string }> {
    const generation = this.generations.get(key) ?? 0;
    const stored = this.values.get(`${key}\u0000${variant}`);
    return stored && stored.generation === generation ? { generation, value: stored.value } : { generation };
  }

  async write(key: string, variant: string, generation: number, value: string): Promise<void> {
    if (this.values.size > 100_000) this.values.clear();
    this.values.set(`${key}\u0000${variant}`, { generation, value });
  }

  async invalidate(key: string): Promise<void> {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }
}

export interface GenerationalCacheOptions {
  /**
   * After an invalidation fails, this instance stops trusting the cache for this long (the
   * stores' TTL): a value the failed invalidation should have dropped is never served.
   */
  readonly distrustAfterFailureMs?: number;
  readonly now?: () => number;
}

/**
 * A read-through cache over a GenerationalStore that never fails a request: when the store is
 * unavailable, the value is computed (from the database) and the request goes on.
 */
export class GenerationalCache {
  private distrustUntil = 0;

  constructor(
    private readonly store: GenerationalStore,
    private readonly logger: Logger,
    private readonly options: GenerationalCacheOptions = {},
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The cached value of `key`'s `variant`, or `compute()`'s, stored for next time. `cache` labels the metric. */
  async get(cache: string, key: string, variant: string, compute: () => Promise<string>): Promise<string> {
    if (this.now < this.distrustUntil) {
      requests.inc({ cache, result: 'bypass' });
      return compute();
    }
    let generation: number;
    try {
      const state = await this.store.read(key, variant);
      if (state.value !== undefined) {
        requests.inc({ cache, result: 'hit' });
        return state.value;
      }
      generation = state.generation;
    } catch (error) {
      requests.inc({ cache, result: 'bypass' });
      this.logger.warn({ err: (error as Error).message, cache }, 'cache unavailable; reading the database');
      return compute();
    }
    requests.inc({ cache, result: 'miss' });
    const value = await compute();
    await this.store.write(key, variant, generation, value).catch(() => undefined);
    return value;
  }

  /** Drops every variant of `key`. Never throws: a failure makes this instance bypass the cache for a while instead. */
  async invalidate(key: string): Promise<void> {
    try {
      await this.store.invalidate(key);
    } catch (error) {
      this.distrustUntil = this.now + (this.options.distrustAfterFailureMs ?? 300_000);
      this.logger.warn({ err: (error as Error).message }, 'could not invalidate a cache entry; reading the database until it would have expired');
    }
  }
}
