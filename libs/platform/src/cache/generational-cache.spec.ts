import pino from 'pino';
import { GenerationalCache, MemoryGenerationalStore, type GenerationalStore } from './generational-cache';

const logger = pino({ level: 'silent' });

function counting(value: () => string) {
  const calls: string[] = [];
  return { calls, compute: (label: string) => async () => (calls.push(label), value()) };
}

describe('GenerationalCache', () => {
  it('computes once per variant, and one invalidation drops every variant of the key', async () => {
    let version = 'v1';
    const { calls, compute } = counting(() => version);
    const cache = new GenerationalCache(new MemoryGenerationalStore(), logger);
    expect(await cache.get('page', 'alice', 'en:20', compute('en'))).toBe('v1');
    expect(await cache.get('page', 'alice', 'ru:20', compute('ru'))).toBe('v1');
    version = 'v2';
    expect(await cache.get('page', 'alice', 'en:20', compute('en'))).toBe('v1');
    expect(await cache.get('page', 'bob', 'en:20', compute('bob'))).toBe('v2');
    await cache.invalidate('alice');
    expect(await cache.get('page', 'alice', 'en:20', compute('en'))).toBe('v2');
    expect(await cache.get('page', 'alice', 'ru:20', compute('ru'))).toBe('v2');
    expect(calls).toEqual(['en', 'ru', 'bob', 'en', 'ru']);
  });

  it('never serves a value computed before an invalidation that raced it', async () => {
    const store = new MemoryGenerationalStore();
    const cache = new GenerationalCache(store, logger);
    let release!: () => void;
    const slow = cache.get('page', 'alice', 'en', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'before the event';
    });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.invalidate('alice'); // the event's feed.updated arrives while the read is in flight
    release();
    expect(await slow).toBe('before the event');
    expect(await cache.get('page', 'alice', 'en', async () => 'with the event')).toBe('with the event');
  });

  it('reads through when the store is down, and stops trusting it for a while after a failed invalidation', async () => {
    let now = 0;
    let down = true;
    const memory = new MemoryGenerationalStore();
    const flaky: GenerationalStore = {
      read: (key, variant) => (down ? Promise.reject(new Error('ECONNREFUSED')) : memory.read(key, variant)),
      write: (key, variant, generation, value) => (down ? Promise.reject(new Error('ECONNREFUSED')) : memory.write(key, variant, generation, value)),
      invalidate: (key) => (down ? Promise.reject(new Error('ECONNREFUSED')) : memory.invalidate(key)),
    };
    const cache = new GenerationalCache(flaky, logger, { distrustAfterFailureMs: 1_000, now: () => now });
    expect(await cache.get('page', 'alice', 'en', async () => 'from the database')).toBe('from the database');
    down = false;
    expect(await cache.get('page', 'alice', 'en', async () => 'old')).toBe('old');
    down = true;
    await expect(cache.invalidate('alice')).resolves.toBeUndefined();
    down = false;
    // The store still holds "old" under the generation the failed invalidation should have bumped.
    expect(await cache.get('page', 'alice', 'en', async () => 'new')).toBe('new');
    // Trusted again after the window (the store's TTL, by configuration: "old" would have expired).
    now = 1_001;
    await cache.invalidate('alice');
    expect(await cache.get('page', 'alice', 'en', async () => 'newest')).toBe('newest');
    expect(await cache.get('page', 'alice', 'en', async () => 'not asked')).toBe('newest');
  });
});
