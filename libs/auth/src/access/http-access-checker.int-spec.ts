import Redis from 'ioredis';
import pino from 'pino';
import { FakeAccessServer, testEnvironment } from '@activity/testing';
import { HttpAccessChecker, MemoryDecisionCache, RedisDecisionCache, type HttpAccessOptions } from './http-access-checker';

const SECRET = Buffer.from('access-service-shared-secret-01').toString('base64');

describe('HttpAccessChecker against a fake Access service over real HTTP (real Redis cache)', () => {
  let fake: FakeAccessServer;
  let redis: Redis;
  const run = Date.now().toString(36);
  const options = (overrides: Partial<HttpAccessOptions> = {}): HttpAccessOptions => ({
    url: fake.url,
    key: { id: 'activity-1', secret: SECRET },
    timeoutMs: 300,
    allowTtlSeconds: 60,
    denyTtlSeconds: 60,
    breaker: { failureThreshold: 3, openMs: 60_000 },
    ...overrides,
  });
  const checker = (overrides: Partial<HttpAccessOptions> = {}) => new HttpAccessChecker(options(overrides), new RedisDecisionCache(redis), pino({ level: 'silent' }));
  let n = 0;
  const query = () => ({ tenantId: `t-${run}-${(n += 1)}`, subject: 'user:alice', permission: 'activity.feed.read' as const });

  beforeAll(async () => {
    redis = new Redis(testEnvironment().redisUrl);
    fake = await FakeAccessServer.start(new Map([['activity-1', SECRET]]));
  });
  afterAll(async () => {
    await fake.stop();
    redis.disconnect();
  });
  beforeEach(() => {
    fake.calls = 0;
    fake.delayMs = 0;
    fake.failWithStatus = undefined;
    fake.ttl = undefined;
  });

  it('allows what the Access service allows and denies the rest', async () => {
    const allowed = query();
    fake.allow(allowed.tenantId, allowed.subject, allowed.permission);
    await expect(checker().check(allowed)).resolves.toBe(true);
    await expect(checker().check(query())).resolves.toBe(false);
  });

  it('answers from the Redis cache without an HTTP call, for allows and denies', async () => {
    const allowed = query();
    const denied = query();
    fake.allow(allowed.tenantId, allowed.subject, allowed.permission);
    const first = checker();
    await first.check(allowed);
    await first.check(denied);
    expect(fake.calls).toBe(2);
    // Another instance (new checker) shares the cache.
    await expect(checker().check(allowed)).resolves.toBe(true);
    await expect(checker().check(denied)).resolves.toBe(false);
    expect(fake.calls).toBe(2);
  });

  it('honours the ttl the Access service returns (0 = do not cache)', async () => {
    fake.ttl = 0;
    const q = query();
    const c = checker();
    await c.check(q);
    await c.check(q);
    expect(fake.calls).toBe(2);
  });

  it('coalesces 100 concurrent identical checks into one call', async () => {
    fake.delayMs = 100;
    const q = query();
    fake.allow(q.tenantId, q.subject, q.permission);
    const c = checker();
    const results = await Promise.all(Array.from({ length: 100 }, () => c.check(q)));
    expect(results.every(Boolean)).toBe(true);
    expect(fake.calls).toBe(1);
  });

  it('fails closed when the Access service is slow (timeout -> 503)', async () => {
    fake.delayMs = 1_000;
    await expect(checker({ timeoutMs: 100 }).check(query())).rejects.toMatchObject({ code: 'dependency_unavailable' });
  });

  it('fails closed when the Access service errors', async () => {
    fake.failWithStatus = 500;
    await expect(checker().check(query())).rejects.toMatchObject({ code: 'dependency_unavailable' });
  });

  it('fails closed when our signature is refused', async () => {
    await expect(checker({ key: { id: 'activity-1', secret: Buffer.from('not-the-shared-secret-at-all!!').toString('base64') } }).check(query())).rejects.toMatchObject({
      code: 'dependency_unavailable',
    });
    expect(fake.calls).toBe(1);
  });

  it('fails closed when the Access service is down, and stops calling once the circuit opens', async () => {
    const down = new HttpAccessChecker({ ...options(), url: 'http://127.0.0.1:1' }, new MemoryDecisionCache(), pino({ level: 'silent' }));
    for (let i = 0; i < 3; i += 1) await expect(down.check(query())).rejects.toMatchObject({ code: 'dependency_unavailable' });
    fake.failWithStatus = 500;
    const flaky = checker();
    for (let i = 0; i < 3; i += 1) await expect(flaky.check(query())).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(fake.calls).toBe(3);
    await expect(flaky.check(query())).rejects.toMatchObject({ code: 'dependency_unavailable', params: { dependency: 'The Access service' } });
    expect(fake.calls).toBe(3);
  });
});
