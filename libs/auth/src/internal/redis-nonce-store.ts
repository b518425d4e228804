import type Redis from 'ioredis';
import { MemoryNonceStore, type NonceStore } from './internal-request-signature';

/** Redis-backed replay protection for internal signatures (several instances share it). */
export class RedisNonceStore implements NonceStore {
  constructor(private readonly redis: Redis) {}

  async remember(nonce: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`internal:nonce:${nonce}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}

/** Shared through Redis when there is one; per process otherwise. */
export function nonceStoreFor(redis: Redis | null): NonceStore {
  return redis ? new RedisNonceStore(redis) : new MemoryNonceStore();
}
