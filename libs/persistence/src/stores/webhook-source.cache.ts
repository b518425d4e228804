import { Counter } from 'prom-client';
import { metricsRegistry } from '@activity/observability';
import { liveSecretsOf, type ActiveWebhookSource, type LoadedWebhookSource, type WebhookSourceStore } from './webhook-source.store';

const lookups = new Counter({
  name: 'webhook_source_cache_lookups_total',
  help: 'Webhook source lookups by ingest-gateway: hit (from memory), miss (loaded), refresh (loaded again after a signature failed with the cached secrets)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export interface WebhookSourceCacheOptions {
  /** How long an entry may be used without a change notification (the bound on staleness if notifications stop). */
  readonly ttlMs: number;
  /** How long "no such source" is remembered (a source created meanwhile is seen after this, or at once when notified). */
  readonly negativeTtlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly source: LoadedWebhookSource | null;
  readonly expiresAt: number;
}

/**
 * Webhook sources and their secrets kept in ingest-gateway's memory, so a delivery costs no query.
 * Secrets stay in this process (never in Redis, even sealed). Freshness:
 * - every change to a source or its secrets is NOTIFYed (`webhook_source_changed`) and drops the entry;
 * - a secret's grace expiry is checked on every use, so a rotated-out secret stops working on time;
 * - a delivery that fails its signature with cached secrets is checked once more against the database
 *   (`load({ fresh: true })`), so a secret added a moment ago is never refused;
 * - entries expire after `ttlMs` in any case (the bound if notifications are lost).
 * Concurrent misses for one source share one query.
 */
export class WebhookSourceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<LoadedWebhookSource | null>>();
  private generation = 0;

  constructor(
    private readonly store: Pick<WebhookSourceStore, 'load'>,
    private readonly options: WebhookSourceCacheOptions,
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  async findActive(connector: string, sourceId: string, { fresh = false } = {}): Promise<ActiveWebhookSource | null> {
    const key = `${connector}/${sourceId}`;
    const cached = this.entries.get(key);
    if (!fresh && cached && cached.expiresAt > this.now) {
      lookups.inc({ result: 'hit' });
      return cached.source && liveSecretsOf(cached.source, this.now);
    }
    lookups.inc({ result: fresh ? 'refresh' : 'miss' });
    const source = await this.loadShared(key, connector, sourceId);
    return source && liveSecretsOf(source, this.now);
  }

  /** Drops one source ("connector/sourceId", as NOTIFYed), or every entry when called without one. */
  invalidate(key?: string): void {
    this.generation += 1;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private loadShared(key: string, connector: string, sourceId: string): Promise<LoadedWebhookSource | null> {
    const running = this.loading.get(key);
    if (running) return running;
    // A change notified while the query runs may not be in its answer: such an answer is used, not kept.
    const generation = this.generation;
    const query = this.store
      .load(connector, sourceId)
      .then((source) => {
        if (generation === this.generation) this.remember(key, source);
        return source;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, query);
    return query;
  }

  private remember(key: string, source: LoadedWebhookSource | null): void {
    const ttl = source ? this.options.ttlMs : Math.min(this.options.ttlMs, this.options.negativeTtlMs ?? 5_000);
    this.entries.delete(key);
    this.entries.set(key, { source, expiresAt: this.now + ttl });
    // Oldest first out (Map keeps insertion order): unknown ids sent by a scanner cannot grow it.
    const max = this.options.maxEntries ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
  }
}
