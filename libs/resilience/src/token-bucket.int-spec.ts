import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { testEnvironment } from '@activity/testing';
import { RedisTokenBucket } from './token-bucket';

describe('RedisTokenBucket (real Redis)', () => {
  // Two connections stand for two worker processes.
  const first = new Redis(testEnvironment().redisUrl);
  const second = new Redis(testEnvironment().redisUrl);
  afterAll(async () => void (await Promise.all([first.quit(), second.quit()])));

  it('holds many concurrent takers in two processes to the rate: N tokens past the burst take at least (N - burst) / rate', async () => {
    const key = `test-${randomUUID()}`;
    // One bucket key, two processes, 100 callers waiting in each.
    const [one, two] = [new RedisTokenBucket(first, key, 100, 10), new RedisTokenBucket(second, key, 100, 10)];
    const started = Date.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).acquire()));
    const elapsedMs = Date.now() - started;
    // 200 tokens = 10 at once + 190 at 100/s: 1.9 s at the least (a slower box only takes longer).
    expect(elapsedMs).toBeGreaterThanOrEqual(1_850);
  });
});
