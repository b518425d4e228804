import { nextQuotaReset, quotaDayOf } from './quota-day';

describe('the YouTube quota day (midnight Pacific)', () => {
  it('names the Pacific date, which is still "yesterday" in the early UTC hours', () => {
    expect(quotaDayOf(new Date('2026-11-28T07:59:59Z'))).toBe('2026-11-27');
    expect(quotaDayOf(new Date('2026-11-28T08:00:00Z'))).toBe('2026-11-28');
    expect(quotaDayOf(new Date('2026-07-01T06:59:59Z'))).toBe('2026-06-30');
    expect(quotaDayOf(new Date('2026-07-01T07:00:00Z'))).toBe('2026-07-01');
  });

  it('resets at the next Pacific midnight: 08:00 UTC in winter, 07:00 UTC in summer', () => {
    expect(nextQuotaReset(new Date('2026-11-28T01:45:00Z')).toISOString()).toBe('2026-11-28T08:00:00.000Z');
    expect(nextQuotaReset(new Date('2026-11-28T08:00:00Z')).toISOString()).toBe('2026-11-29T08:00:00.000Z');
    expect(nextQuotaReset(new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-07-02T07:00:00.000Z');
  });

  it('handles the days daylight saving time starts and ends (23 and 25 hours long)', () => {
    // 2026-03-08: clocks go forward at 02:00 PST; that day ends at 07:00 UTC on the 9th.
    expect(nextQuotaReset(new Date('2026-03-08T09:00:00Z')).toISOString()).toBe('2026-03-09T07:00:00.000Z');
    // 2026-11-01: clocks go back at 02:00 PDT; that day ends at 08:00 UTC on the 2nd.
    expect(nextQuotaReset(new Date('2026-11-01T08:00:00Z')).toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(quotaDayOf(new Date('2026-11-02T07:30:00Z'))).toBe('2026-11-01');
  });
});
