/** The YouTube Data API's quota day: it resets at midnight Pacific time (PLATFORMS.md §4). */
const PACIFIC = 'America/Los_Angeles';

const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: PACIFIC,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function pacificParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
  };
}

/** The quota day `at` falls in, as `YYYY-MM-DD` in Pacific time (the key usage is counted under). */
export function quotaDayOf(at: Date): string {
  const { year, month, day } = pacificParts(at);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** When the quota day of `at` ends: the next midnight in Pacific time (23 or 25 hours after the last one across a DST change). */
export function nextQuotaReset(at: Date): Date {
  const { year, month, day } = pacificParts(at);
  // Midnight of the next Pacific day is 07:00 or 08:00 UTC; find the one that reads 00:00 there.
  for (const offsetHours of [7, 8]) {
    const candidate = new Date(Date.UTC(year, month - 1, day + 1, offsetHours));
    const parts = pacificParts(candidate);
    if (parts.hour === 0 && parts.minute === 0 && candidate > at) return candidate;
  }
  throw new Error(`no Pacific midnight found after ${at.toISOString()}`);
}
