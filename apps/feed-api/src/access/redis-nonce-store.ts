import type Redis from 'ioredis';
import type { NonceStore } from '@activity/auth';

/** Redis-backed replay protection for internal signatures (several instances share it). */
export class RedisNonceStore implements NonceStore {
  constructor(private readonly redis: Redis) {}

  async remember(nonce: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`internal:nonce:${nonce}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}
