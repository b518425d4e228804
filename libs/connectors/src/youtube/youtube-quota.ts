import { createHash } from 'node:crypto';
import type { SharedState } from '@activity/connector-sdk';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@activity/observability';
import { nextQuotaReset, quotaDayOf } from './quota-day';

const unitsUsed = new Gauge({
  name: 'youtube_quota_used',
  help: 'YouTube Data API quota used today (Pacific), per project key (its fingerprint) and bucket (units, or search calls)',
  labelNames: ['key', 'bucket'] as const,
  registers: [metricsRegistry],
});
const exhausted = new Gauge({
  name: 'youtube_quota_exhausted',
  help: '1 while a project key’s daily quota is used up (until midnight Pacific), 0 otherwise',
  labelNames: ['key'] as const,
  registers: [metricsRegistry],
});

/** Which of a key's daily buckets a call draws on, and how much. */
export interface QuotaCost {
  readonly bucket: 'units' | 'search';
  readonly amount: number;
}

export interface YouTubeQuotaOptions {
  readonly unitsPerDay: number;
  /** `units`: search.list costs 100 from the pool; `calls`: one of its own daily calls. */
  readonly searchPricing: 'units' | 'calls';
  readonly searchCallsPerDay: number;
}

/** A key's fingerprint: what metrics and logs show instead of the key. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * The YouTube Data API's daily quota per project key, counted in shared state (every replica
 * spends the same quota): every request is charged, failed ones included; a key that would go
 * over, or that Google answered 403 `quotaExceeded`, is not used again until the quota day ends at
 * midnight Pacific. Both pricing models of search.list are supported (see YouTubeSettings).
 */
export class YouTubeQuota {
  constructor(
    private readonly state: SharedState,
    private readonly options: YouTubeQuotaOptions,
  ) {}

  costOf(method: 'search.list' | 'videos.list' | 'channels.list'): QuotaCost {
    if (method !== 'search.list') return { bucket: 'units', amount: 1 };
    return this.options.searchPricing === 'units' ? { bucket: 'units', amount: 100 } : { bucket: 'search', amount: 1 };
  }

  /** Charges a call to `key` and answers true, or answers false (charging nothing) when the key cannot afford it today. */
  async spend(key: string, cost: QuotaCost, now = new Date()): Promise<boolean> {
    if (await this.isExhausted(key, now)) return false;
    const fingerprint = keyFingerprint(key);
    const limit = cost.bucket === 'units' ? this.options.unitsPerDay : this.options.searchCallsPerDay;
    const counter = `${fingerprint}:${quotaDayOf(now)}:${cost.bucket}`;
    const used = await this.state.increment(counter, this.untilReset(now) + 3_600_000, cost.amount);
    if (used > limit) {
      // Not spent after all: it would go over; the bucket is closed for the day.
      await this.state.increment(counter, this.untilReset(now) + 3_600_000, -cost.amount);
      if (cost.bucket === 'units') await this.markExhausted(key, now);
      unitsUsed.set({ key: fingerprint, bucket: cost.bucket }, used - cost.amount);
      return false;
    }
    unitsUsed.set({ key: fingerprint, bucket: cost.bucket }, used);
    return true;
  }

  /** Google said the key's quota is used up: it rests until the reset. */
  async markExhausted(key: string, now = new Date()): Promise<void> {
    await this.state.set(`${keyFingerprint(key)}:${quotaDayOf(now)}:exhausted`, '1', this.untilReset(now));
    exhausted.set({ key: keyFingerprint(key) }, 1);
  }

  async isExhausted(key: string, now = new Date()): Promise<boolean> {
    const closed = (await this.state.get(`${keyFingerprint(key)}:${quotaDayOf(now)}:exhausted`)) === '1';
    exhausted.set({ key: keyFingerprint(key) }, closed ? 1 : 0);
    return closed;
  }

  /** What has been charged to a key today, per bucket. */
  async usage(key: string, now = new Date()): Promise<{ units: number; searchCalls: number; exhausted: boolean }> {
    const day = `${keyFingerprint(key)}:${quotaDayOf(now)}`;
    return {
      units: Number((await this.state.get(`${day}:units`)) ?? 0),
      searchCalls: Number((await this.state.get(`${day}:search`)) ?? 0),
      exhausted: await this.isExhausted(key, now),
    };
  }

  private untilReset(now: Date): number {
    return Math.max(1_000, nextQuotaReset(now).getTime() - now.getTime());
  }
}
