import pino from 'pino';
import type { FeedReadMarkerStore } from '@activity/persistence';
import { MemoryUnreadCache, UNREAD_CAP, UnreadCounter, type UnreadCache } from './unread-counter';

/** The database's answer, counted, so a test can tell a cache hit from a recount. */
function markers(count: () => number) {
  const calls: Array<[string, string, number]> = [];
  const store = {
    countUnread: async (tenantId: string, userId: string, cap: number) => {
      calls.push([tenantId, userId, cap]);
      return count();
    },
  } as unknown as FeedReadMarkerStore;
  return { store, calls };
}

const logger = pino({ level: 'silent' });

describe('UnreadCounter', () => {
  it('counts in the database once, then answers from the cache until invalidated', async () => {
    let unread = 3;
    const { store, calls } = markers(() => unread);
    const counter = new UnreadCounter(store, new MemoryUnreadCache(), logger);
    expect(await counter.count('t', 'alice')).toEqual({ count: 3, capped: false });
    unread = 4;
    expect(await counter.count('t', 'alice')).toEqual({ count: 3, capped: false });
    expect(calls).toHaveLength(1);
    await counter.invalidate('t', 'alice');
    expect(await counter.count('t', 'alice')).toEqual({ count: 4, capped: false });
    expect(calls).toEqual([
      ['t', 'alice', UNREAD_CAP],
      ['t', 'alice', UNREAD_CAP],
    ]);
  });

  it('keeps users apart: invalidating one leaves the other cached', async () => {
    const { store, calls } = markers(() => 1);
    const counter = new UnreadCounter(store, new MemoryUnreadCache(), logger);
    await counter.count('t', 'alice');
    await counter.count('t', 'bob');
    await counter.invalidate('t', 'alice');
    await counter.count('t', 'bob');
    expect(calls.map(([, user]) => user)).toEqual(['alice', 'bob']);
  });

  it('reports past the cap as "1000+" with capped: true', async () => {
    const { store } = markers(() => UNREAD_CAP + 1);
    expect(await new UnreadCounter(store, new MemoryUnreadCache(), logger).count('t', 'u')).toEqual({ count: '1000+', capped: true });
    const exact = markers(() => UNREAD_CAP);
    expect(await new UnreadCounter(exact.store, new MemoryUnreadCache(), logger).count('t', 'u')).toEqual({ count: UNREAD_CAP, capped: false });
  });

  it('never stores a count computed before an invalidation that raced it', async () => {
    const cache = new MemoryUnreadCache();
    let release!: () => void;
    let unread = 5;
    const { store } = markers(() => unread);
    const slow = {
      countUnread: async (...args: [string, string, number]) => {
        await new Promise<void>((resolve) => (release = resolve));
        return store.countUnread(...args);
      },
    } as unknown as FeedReadMarkerStore;
    const counter = new UnreadCounter(slow, cache, logger);
    const reading = counter.count('t', 'alice');
    await new Promise((resolve) => setImmediate(resolve));
    // A new event arrives while the count is in flight: the stale answer must not be cached as current.
    await counter.invalidate('t', 'alice');
    release();
    expect(await reading).toEqual({ count: 5, capped: false });
    unread = 6;
    const fresh = new UnreadCounter(store, cache, logger);
    expect(await fresh.count('t', 'alice')).toEqual({ count: 6, capped: false });
  });

  it('counts in the database when the cache is down, and does not fail the request', async () => {
    const broken: UnreadCache = {
      read: () => Promise.reject(new Error('ECONNREFUSED')),
      write: () => Promise.reject(new Error('ECONNREFUSED')),
      invalidate: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { store, calls } = markers(() => 2);
    const counter = new UnreadCounter(store, broken, logger);
    expect(await counter.count('t', 'u')).toEqual({ count: 2, capped: false });
    await expect(counter.invalidate('t', 'u')).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
