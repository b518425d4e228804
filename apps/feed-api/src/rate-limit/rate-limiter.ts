import type Redis from 'ioredis';
import type { Logger } from 'pino';

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until a refused caller may try again (or, when allowed, until the oldest request leaves the window). */
  readonly resetSeconds: number;
}

/** One minute, counted in ten-second buckets. */
const WINDOW_MS = 60_000;
const BUCKET_MS = 10_000;
/** Buckets that together cover any 60-second window ending now (the oldest only partly). */
const BUCKETS = WINDOW_MS / BUCKET_MS + 1;

// Same rule as RateLimiter.takeLocal, atomically in Redis. KEYS[1]: a hash bucket -> count.
// ARGV: current bucket, buckets per window, limit, ttl seconds. Returns {allowed, counted, oldest bucket}.
const TAKE = `
local current = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
local oldest = current
for i = 1, #fields, 2 do
  local bucket = tonumber(fields[i])
  if bucket <= current - span then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    total = total + tonumber(fields[i + 1])
    if bucket < oldest then oldest = bucket end
  end
end
if total >= limit then return {0, total, oldest} end
redis.call('HINCRBY', KEYS[1], current, 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {1, total + 1, oldest}
`;

/**
 * A sliding one-minute limit per key: a request is admitted only if fewer than `limit` were
 * admitted in the buckets covering the last minute. Because those buckets always cover at
 * least the last 60 seconds, no 60-second span ever admits more than `limit` (a fixed
 * per-minute window let twice the limit through across a minute boundary). Shared by every
 * instance through Redis; per instance without it. If Redis fails the request is allowed:
 * rate limiting protects capacity, and refusing everyone because a cache is down would be the
 * bigger outage.
 */
export class RateLimiter {
  private readonly local = new Map<string, Map<number, number>>();

  constructor(
    private readonly redis: Redis | null,
    private readonly perMinute: number,
    private readonly logger: Logger,
  ) {}

  /** Admits and counts one request, or refuses it (uncounted). */
  async take(key: string, now = Date.now()): Promise<RateLimitDecision> {
    const current = Math.floor(now / BUCKET_MS);
    let result: { allowed: boolean; counted: number; oldest: number };
    try {
      result = this.redis ? await this.takeShared(`ratelimit:${key}`, current) : this.takeLocal(key, current);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'rate limiter unavailable; allowing');
      return { allowed: true, limit: this.perMinute, remaining: this.perMinute, resetSeconds: WINDOW_MS / 1000 };
    }
    // The oldest bucket stops counting once the window has moved past it.
    const resetSeconds = Math.max(1, Math.ceil(((result.oldest + BUCKETS) * BUCKET_MS - now) / 1000));
    return { allowed: result.allowed, limit: this.perMinute, remaining: Math.max(0, this.perMinute - result.counted), resetSeconds };
  }

  private async takeShared(key: string, current: number) {
    const ttlSeconds = Math.ceil((BUCKETS * BUCKET_MS) / 1000) + 1;
    const [allowed, counted, oldest] = (await this.redis!.eval(TAKE, 1, key, current, BUCKETS, this.perMinute, ttlSeconds)) as [number, number, number];
    return { allowed: allowed === 1, counted, oldest };
  }

  private takeLocal(key: string, current: number) {
    let buckets = this.local.get(key);
    if (!buckets) {
      if (this.local.size > 100_000) this.local.clear();
      buckets = new Map();
      this.local.set(key, buckets);
    }
    let total = 0;
    let oldest = current;
    for (const [bucket, count] of buckets) {
      if (bucket <= current - BUCKETS) buckets.delete(bucket);
      else {
        total += count;
        oldest = Math.min(oldest, bucket);
      }
    }
    if (total >= this.perMinute) return { allowed: false, counted: total, oldest };
    buckets.set(current, (buckets.get(current) ?? 0) + 1);
    return { allowed: true, counted: total + 1, oldest };
  }
}
