import { LocalSharedState } from '@activity/resilience';
import { YouTubeQuota } from './youtube-quota';

const KEY = 'AIzaSyFakeKey0123456789abcdef';
// 10:00 Pacific on 27 November; the quota day ends at 08:00 UTC on the 28th.
const morning = new Date('2026-11-27T18:00:00Z');
const nextDay = new Date('2026-11-28T08:00:01Z');

describe('YouTubeQuota', () => {
  it('charges search.list 100 units of the pool in the `units` model, and refuses what would go over', async () => {
    const quota = new YouTubeQuota(new LocalSharedState(), { unitsPerDay: 250, searchPricing: 'units', searchCallsPerDay: 100 });
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(true);
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(true);
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(false);
    expect(await quota.usage(KEY, morning)).toEqual({ units: 200, searchCalls: 0, exhausted: true });
    // Exhausted for the day: even a 1-unit call is refused until midnight Pacific.
    expect(await quota.spend(KEY, quota.costOf('videos.list'), morning)).toBe(false);
  });

  it('charges search.list one call of its own bucket in the `calls` model, leaving the pool alone', async () => {
    const quota = new YouTubeQuota(new LocalSharedState(), { unitsPerDay: 10, searchPricing: 'calls', searchCallsPerDay: 2 });
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(true);
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(true);
    expect(await quota.spend(KEY, quota.costOf('search.list'), morning)).toBe(false);
    // The pool is untouched and still open.
    expect(await quota.spend(KEY, quota.costOf('videos.list'), morning)).toBe(true);
    expect(await quota.usage(KEY, morning)).toEqual({ units: 1, searchCalls: 2, exhausted: false });
  });

  it('rests a key Google said is exhausted until midnight Pacific, then starts a fresh day', async () => {
    const quota = new YouTubeQuota(new LocalSharedState(), { unitsPerDay: 10_000, searchPricing: 'units', searchCallsPerDay: 100 });
    await quota.markExhausted(KEY, morning);
    expect(await quota.spend(KEY, quota.costOf('videos.list'), new Date('2026-11-28T07:59:59Z'))).toBe(false);
    expect(await quota.spend(KEY, quota.costOf('videos.list'), nextDay)).toBe(true);
    expect(await quota.usage(KEY, nextDay)).toEqual({ units: 1, searchCalls: 0, exhausted: false });
  });
});
