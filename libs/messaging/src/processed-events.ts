import type Redis from 'ioredis';
import { compositeKey } from '@activity/domain';

/**
 * Remembers which CloudEvent ids a consumer group has handled, so a redelivered message (after a
 * rebalance or a crash before the offset commit) is skipped. It is the fast path: handlers stay
 * idempotent on their own domain keys too, because this memory is bounded in time.
 */
export interface ProcessedEvents {
  has(group: string, ceId: string): Promise<boolean>;
  remember(group: string, ceId: string): Promise<void>;
}

export class RedisProcessedEvents implements ProcessedEvents {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  async has(group: string, ceId: string): Promise<boolean> {
    return (await this.redis.exists(`processed:${compositeKey(group, ceId)}`)) === 1;
  }

  async remember(group: string, ceId: string): Promise<void> {
    await this.redis.set(`processed:${compositeKey(group, ceId)}`, '1', 'EX', this.ttlSeconds);
  }
}

export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly seen = new Set<string>();

  async has(group: string, ceId: string): Promise<boolean> {
    return this.seen.has(`${group}:${ceId}`);
  }

  async remember(group: string, ceId: string): Promise<void> {
    if (this.seen.size > 100_000) this.seen.clear();
    this.seen.add(`${group}:${ceId}`);
  }
}
