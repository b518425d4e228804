import { WebhookSourceCache } from './webhook-source.cache';
import type { LoadedWebhookSource } from './webhook-source.store';

function fixture(ttlMs = 60_000) {
  let now = 1_000_000;
  const rows = new Map<string, LoadedWebhookSource | null>();
  const loads: string[] = [];
  let gate: Promise<void> | undefined;
  const store = {
    load: async (connector: string, sourceId: string) => {
      loads.push(`${connector}/${sourceId}`);
      const answer = rows.get(`${connector}/${sourceId}`) ?? null;
      if (gate) await gate;
      return answer;
    },
  };
  const cache = new WebhookSourceCache(store, { ttlMs, negativeTtlMs: 5_000, maxEntries: 3, now: () => now });
  const source = (secrets: Array<[string, number | null]>): LoadedWebhookSource => ({
    tenantId: 't1',
    connector: 'minecraft',
    sourceId: 'a',
    settings: {},
    secrets: secrets.map(([secret, expiresAt]) => ({ secret, expiresAt })),
  });
  return {
    cache,
    rows,
    loads,
    source,
    advance: (ms: number) => void (now += ms),
    get now() {
      return now;
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('WebhookSourceCache', () => {
  it('answers from memory until the entry is invalidated or its TTL passes', async () => {
    const f = fixture();
    f.rows.set('minecraft/a', f.source([['s1', null]]));
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['s1']);
    f.rows.set('minecraft/a', f.source([['s2', null]]));
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['s1']);
    expect(f.loads).toHaveLength(1);
    f.cache.invalidate('minecraft/a');
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['s2']);
    f.rows.set('minecraft/a', f.source([['s3', null]]));
    f.advance(60_001);
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['s3']);
    expect(f.loads).toHaveLength(3);
  });

  it('drops a rotated-out secret when its grace period ends, without a reload', async () => {
    const f = fixture();
    f.rows.set(
      'minecraft/a',
      f.source([
        ['new', null],
        ['old', f.now + 1_000],
      ]),
    );
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['new', 'old']);
    f.advance(1_000);
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['new']);
    expect(f.loads).toHaveLength(1);
  });

  it('remembers an unknown source only briefly, and reloads when asked for a fresh answer', async () => {
    const f = fixture();
    expect(await f.cache.findActive('minecraft', 'a')).toBeNull();
    f.rows.set('minecraft/a', f.source([['s1', null]]));
    expect(await f.cache.findActive('minecraft', 'a')).toBeNull();
    expect((await f.cache.findActive('minecraft', 'a', { fresh: true }))?.secrets).toEqual(['s1']);
    f.cache.invalidate();
    f.rows.delete('minecraft/a');
    expect(await f.cache.findActive('minecraft', 'a')).toBeNull();
    f.rows.set('minecraft/a', f.source([['s2', null]]));
    f.advance(5_001);
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['s2']);
  });

  it('shares one query between concurrent misses, and does not keep an answer a change overtook', async () => {
    const f = fixture();
    f.rows.set('minecraft/a', f.source([['before', null]]));
    const release = f.hold();
    const both = Promise.all([f.cache.findActive('minecraft', 'a'), f.cache.findActive('minecraft', 'a')]);
    f.cache.invalidate('minecraft/a'); // a NOTIFY while the query runs
    release();
    expect((await both).map((source) => source?.secrets)).toEqual([['before'], ['before']]);
    expect(f.loads).toHaveLength(1);
    f.rows.set('minecraft/a', f.source([['after', null]]));
    expect((await f.cache.findActive('minecraft', 'a'))?.secrets).toEqual(['after']);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const f = fixture();
    for (const id of ['a', 'b', 'c', 'd']) await f.cache.findActive('minecraft', id);
    expect(f.cache.size).toBe(3);
    await f.cache.findActive('minecraft', 'b');
    expect(f.loads.filter((key) => key === 'minecraft/b')).toHaveLength(1);
    await f.cache.findActive('minecraft', 'a');
    expect(f.loads.filter((key) => key === 'minecraft/a')).toHaveLength(2);
  });

  it('with a TTL of 0, reads the database every time', async () => {
    const f = fixture(0);
    f.rows.set('minecraft/a', f.source([['s1', null]]));
    await f.cache.findActive('minecraft', 'a');
    await f.cache.findActive('minecraft', 'a');
    expect(f.loads).toHaveLength(2);
  });
});
