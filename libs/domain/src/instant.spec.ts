import { isBeyondFutureSkew, parseInstant } from './instant';

describe('parseInstant', () => {
  it.each([
    ['2026-11-26T10:00:00Z', '2026-11-26T10:00:00.000Z'],
    ['2026-11-26t10:00:00z', '2026-11-26T10:00:00.000Z'],
    ['2026-11-26T10:00:00.5+03:00', '2026-11-26T07:00:00.500Z'],
    ['2024-02-29T23:59:59-00:30', '2024-03-01T00:29:59.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-W01-1',
    '20261126',
    '2026-11-26T10Z',
    '2026-11-26T10:00:00,5Z',
    '-2026-01-01',
    '0000-01-01T00:00:00Z',
    '2026-12-31T23:59:60Z',
    '2026-02-29T00:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26T10:00:00+24:00',
    '2026-11-26 10:00:00Z',
    '',
    '9999-12-31T23:59:59-01:00',
  ])('refuses %s', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('reads plain dates only when asked to', () => {
    expect(parseInstant('2026-11-26')).toBeNull();
    expect(parseInstant('2026-11-26', { allowDate: true })?.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('refuses non-strings', () => {
    expect(parseInstant(20261126)).toBeNull();
    expect(parseInstant(null)).toBeNull();
  });

  it('allows 5 minutes of clock skew into the future, no more', () => {
    const now = Date.UTC(2026, 10, 26, 10);
    expect(isBeyondFutureSkew(new Date(now + 299_000), now)).toBe(false);
    expect(isBeyondFutureSkew(new Date(now + 301_000), now)).toBe(true);
  });
});
