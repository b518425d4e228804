import type Redis from 'ioredis';
import type { Logger } from 'pino';

export type ClaimResult = 'new' | 'duplicate' | 'in_progress';

/**
 * Fast dedupe of webhook deliveries by id (Redis SET NX). A claim is "in progress" until the
 * delivery is acknowledged by Kafka, then "done" for the TTL; if publishing fails the claim is
 * released, so the sender's retry is processed rather than swallowed as a duplicate. Without
 * Redis (or while it is down) every delivery counts as new: the unique constraint on
 * activity_events still guarantees one event per delivery.
 */
export class DeliveryDeduplicator {
  private static readonly IN_PROGRESS_TTL_MS = 30_000;

  constructor(
    private readonly redis: Redis | null,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  async claim(key: string): Promise<ClaimResult> {
    if (!this.redis) return 'new';
    try {
      const set = await this.redis.set(key, 'in_progress', 'PX', DeliveryDeduplicator.IN_PROGRESS_TTL_MS, 'NX');
      if (set === 'OK') return 'new';
      const state = await this.redis.get(key);
      if (state === null) return this.claim(key);
      return state === 'done' ? 'duplicate' : 'in_progress';
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'dedupe unavailable; relying on the database');
      return 'new';
    }
  }

  async complete(key: string): Promise<void> {
    await this.redis?.set(key, 'done', 'EX', this.ttlSeconds).catch((error: Error) => this.logger.warn({ err: error.message }, 'could not record delivery as done'));
  }

  async release(key: string): Promise<void> {
    await this.redis?.del(key).catch((error: Error) => this.logger.warn({ err: error.message }, 'could not release delivery claim'));
  }
}
