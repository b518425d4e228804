import type Redis from 'ioredis';

/**
 * A few short-lived numbers every replica sees (an upstream's rate-limit buckets, a pause after a
 * 429, a count of refused requests): Redis when configured, this process otherwise. Values expire
 * by themselves, so a dead replica leaves nothing behind for long.
 */
export interface SharedState {
  get(key: string): Promise<string | null>;
  /** Sets `key` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Raises a deadline (epoch ms) that only moves forward: concurrent 429s keep the latest one. */
  extendUntil(key: string, untilMs: number): Promise<void>;
  /** Adds `by` (default 1) to a counter that starts with a window of `windowMs`; answers the new count. */
  increment(key: string, windowMs: number, by?: number): Promise<number>;
}

// Keeps the larger deadline; the key lives until that deadline.
const EXTEND_UNTIL = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if wanted > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1`;

// The window starts with the first count and is not pushed back by later ones.
const INCREMENT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

export class RedisSharedState implements SharedState {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  get(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async extendUntil(key: string, untilMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(untilMs - Date.now()));
    await this.redis.eval(EXTEND_UNTIL, 1, this.key(key), String(Math.ceil(untilMs)), String(ttl));
  }

  async increment(key: string, windowMs: number, by = 1): Promise<number> {
    return Number(await this.redis.eval(INCREMENT, 1, this.key(key), String(Math.ceil(windowMs)), String(Math.trunc(by))));
  }

  private key(key: string): string {
    return `shared:${this.namespace}:${key}`;
  }
}

/** The same in one process (no Redis configured). */
export class LocalSharedState implements SharedState {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string): Promise<string | null> {
    const entry = this.values.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.values.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async extendUntil(key: string, untilMs: number): Promise<void> {
    const current = Number((await this.get(key)) ?? 0);
    if (untilMs > current) this.values.set(key, { value: String(untilMs), expiresAt: untilMs });
  }

  async increment(key: string, windowMs: number, by = 1): Promise<number> {
    const current = await this.get(key);
    const entry = this.values.get(key);
    const count = Number(current ?? 0) + Math.trunc(by);
    this.values.set(key, { value: String(count), expiresAt: current && entry ? entry.expiresAt : Date.now() + windowMs });
    return count;
  }
}
