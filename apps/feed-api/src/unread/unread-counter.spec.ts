import pino from 'pino';
import type { FeedReadMarkerStore } from '@activity/persistence';
import { GenerationalCache, MemoryGenerationalStore } from '@activity/platform';
import { UNREAD_CAP, UnreadCounter } from './unread-counter';

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

const cache = () => new GenerationalCache(new MemoryGenerationalStore(), pino({ level: 'silent' }));

describe('UnreadCounter', () => {
  it('counts in the database once, then answers from the cache until invalidated', async () => {
    let unread = 3;
    const { store, calls } = markers(() => unread);
    const counter = new UnreadCounter(store, cache());
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

  it('keeps users apart, even when ids contain the key separator', async () => {
    const { store, calls } = markers(() => 1);
    const counter = new UnreadCounter(store, cache());
    await counter.count('t', 'a:b');
    await counter.count('t:a', 'b');
    await counter.invalidate('t', 'a:b');
    await counter.count('t:a', 'b');
    expect(calls.map(([tenant, user]) => `${tenant}|${user}`)).toEqual(['t|a:b', 't:a|b']);
  });

  it('reports past the cap as "1000+" with capped: true', async () => {
    const { store } = markers(() => UNREAD_CAP + 1);
    expect(await new UnreadCounter(store, cache()).count('t', 'u')).toEqual({ count: '1000+', capped: true });
    const exact = markers(() => UNREAD_CAP);
    expect(await new UnreadCounter(exact.store, cache()).count('t', 'u')).toEqual({ count: UNREAD_CAP, capped: false });
  });
});
