import type Redis from 'ioredis';
import type { Logger } from 'pino';

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

/**
 * Fixed one-minute windows per caller, shared by every instance through Redis (INCR + EXPIRE).
 * Without Redis the window is per instance. If Redis fails the request is allowed: rate limiting
 * protects capacity, and refusing everyone because a cache is down would be the bigger outage.
 */
export class RateLimiter {
  private readonly local = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly redis: Redis | null,
    private readonly perMinute: number,
    private readonly logger: Logger,
  ) {}

  async take(caller: string, now = Date.now()): Promise<RateLimitDecision> {
    const window = Math.floor(now / 60_000);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    let count: number;
    try {
      count = this.redis ? await this.incrementShared(`ratelimit:${caller}:${window}`) : this.incrementLocal(caller, window);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'rate limiter unavailable; allowing');
      return { allowed: true, limit: this.perMinute, remaining: this.perMinute, resetSeconds };
    }
    return { allowed: count <= this.perMinute, limit: this.perMinute, remaining: Math.max(0, this.perMinute - count), resetSeconds };
  }

  private async incrementShared(key: string): Promise<number> {
    const [[, count]] = (await this.redis!.multi().incr(key).expire(key, 120).exec()) as [[Error | null, number]];
    return count;
  }

  private incrementLocal(caller: string, window: number): number {
    const entry = this.local.get(caller);
    if (!entry || entry.window !== window) {
      if (this.local.size > 100_000) this.local.clear();
      this.local.set(caller, { window, count: 1 });
      return 1;
    }
    entry.count += 1;
    return entry.count;
  }
}
