/** Event ids are PostgreSQL bigint identities: positive, at most 2^63 - 1. */
const MAX_EVENT_ID = 9223372036854775807n;

/** Whether `text` can name an event (digits only, within bigint). */
export function isEventId(text: unknown): text is string {
  return typeof text === 'string' && /^\d{1,19}$/.test(text) && BigInt(text) <= MAX_EVENT_ID;
}
