import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { testEnvironment } from '@activity/testing';
import { DeliveryDeduplicator } from './delivery-deduplicator';

describe('DeliveryDeduplicator against Redis', () => {
  const logger = pino({ level: 'silent' });
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(testEnvironment().redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis.quit());

  it('claims a delivery once: in progress until completed, then a duplicate', async () => {
    const dedupe = new DeliveryDeduplicator(redis, 60, logger);
    const key = `test:dedupe:${randomUUID()}`;
    expect(await dedupe.claim(key)).toBe('new');
    expect(await dedupe.claim(key)).toBe('in_progress');
    await dedupe.complete(key);
    expect(await dedupe.claim(key)).toBe('duplicate');
    expect(await redis.ttl(key)).toBeGreaterThan(50);
  });

  it("releases a claim whose publish failed, so the sender's retry is processed", async () => {
    const dedupe = new DeliveryDeduplicator(redis, 60, logger);
    const key = `test:dedupe:${randomUUID()}`;
    expect(await dedupe.claim(key)).toBe('new');
    await dedupe.release(key);
    expect(await dedupe.claim(key)).toBe('new');
  });

  it('lets every delivery through when Redis is unreachable or absent (the database still dedupes)', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => undefined);
    const dedupe = new DeliveryDeduplicator(down, 60, logger);
    expect(await dedupe.claim('any')).toBe('new');
    await expect(dedupe.complete('any')).resolves.toBeUndefined();
    expect(await new DeliveryDeduplicator(null, 60, logger).claim('any')).toBe('new');
    down.disconnect();
  });
});
