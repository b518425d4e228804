import type { ActivityObject } from './activity-event';

/** The most of an event's text that is indexed for search (a tsvector over more adds cost, not recall). */
export const MAX_SEARCH_TEXT = 4_000;
/** Payload strings shorter than this are ids, codes and flags, not text anyone searches for. */
const MIN_PAYLOAD_TEXT = 3;

/**
 * The text an event is found by: its summaries in every language, the names of its actor, object
 * and target, and the free-text strings of its payload (URLs and ids left out), one per line,
 * bounded. Written with the event; PostgreSQL indexes it (`search_vector`, the `russian`
 * configuration, which stems Cyrillic words as Russian and Latin ones as English).
 */
export function searchDocument(event: {
  readonly summaries: readonly string[];
  readonly actor: ActivityObject;
  readonly object?: ActivityObject | null;
  readonly target?: ActivityObject | null;
  readonly payload: Readonly<Record<string, unknown>>;
}): string {
  const parts = new Set<string>();
  for (const summary of event.summaries) parts.add(summary.replace(/[*_`]/g, ''));
  for (const entity of [event.actor, event.object, event.target]) if (entity?.name) parts.add(entity.name);
  collectText(event.payload, parts, 0);
  let text = '';
  for (const part of parts) {
    if (text.length + part.length + 1 > MAX_SEARCH_TEXT) break;
    text += `${part}\n`;
  }
  return text.trimEnd();
}

function collectText(value: unknown, into: Set<string>, depth: number): void {
  if (depth > 4 || into.size > 64) return;
  if (typeof value === 'string') {
    if (value.length >= MIN_PAYLOAD_TEXT && /\p{L}{2}/u.test(value) && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value) && !/^[0-9a-f-]{16,}$/i.test(value))
      into.add(value.slice(0, 500));
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) collectText(item, into, depth + 1);
    return;
  }
  if (value && typeof value === 'object') for (const inner of Object.values(value).slice(0, 50)) collectText(inner, into, depth + 1);
}
