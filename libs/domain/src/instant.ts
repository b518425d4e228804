/**
 * Instants as this service accepts them from the outside: RFC 3339 (`2026-11-26T10:00:00Z`,
 * `2026-11-26T10:00:00.5+03:00`) or, where a caller asks for a date, `YYYY-MM-DD` (midnight
 * UTC). One parser for every boundary (query filters, webhook bodies, internal events), because
 * "the validator accepted it" must mean "the database can store it and `new Date` agrees":
 * ISO 8601 forms such as week dates, basic format, hour-only offsets, comma fractions, negative
 * years, year 0 and leap seconds are refused rather than half-understood.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

/** Years outside this range are refused: PostgreSQL has no year 0, and nothing in a feed is older than computers. */
export const EARLIEST_YEAR = 1;
export const LATEST_YEAR = 9999;

export interface InstantOptions {
  /** Accept `YYYY-MM-DD` (midnight UTC). Default false: a full date-time is required. */
  readonly allowDate?: boolean;
}

/** The instant `text` names, or `null` when it is not one this service accepts. */
export function parseInstant(text: unknown, options: InstantOptions = {}): Date | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  if (h === undefined && !options.allowDate) return null;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // 60 is a leap second: RFC 3339 allows it, but neither JavaScript nor PostgreSQL can represent it.
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  const instant = new Date(utc.getTime() - offsetMinutes * 60_000);
  // An offset can push year 1 or 9999 over the edge.
  const shifted = instant.getUTCFullYear();
  return shifted < EARLIEST_YEAR || shifted > LATEST_YEAR ? null : instant;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** How far ahead of our clock an event may claim to have happened (clock skew between senders and us). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** True when `instant` is further in the future than clock skew explains. */
export function isBeyondFutureSkew(instant: Date, now: number = Date.now()): boolean {
  return instant.getTime() > now + FUTURE_SKEW_MS;
}
