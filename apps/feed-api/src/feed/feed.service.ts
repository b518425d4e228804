import { DomainError, summarizeEvent, type ActivityEvent, type FeedCursor, type Locale } from '@activity/domain';
import type { ActivityEventStore } from '@activity/persistence';
import type { Principal } from '@activity/auth';
import type { FeedQueryDto } from './feed-query.dto';

export interface FeedItem {
  id: string;
  type: string;
  source: string;
  occurredAt: string;
  receivedAt: string;
  summary: string;
  actor: ActivityEvent['actor'];
  object?: ActivityEvent['object'];
  target?: ActivityEvent['target'];
  payload: Record<string, unknown>;
}

export interface FeedPage {
  items: FeedItem[];
  /** Pass back as `cursor` for the next (older) page; null at the end of the feed. */
  nextCursor: string | null;
  /** Marks the newest item returned, for polling newer ones; null on an empty page. */
  headCursor: string | null;
}

/** Keyset-paginated reads of a user's feed. */
export class FeedService {
  constructor(
    private readonly events: ActivityEventStore,
    private readonly cursors: FeedCursor,
  ) {}

  async page(principal: Principal, query: FeedQueryDto, locale: Locale): Promise<FeedPage> {
    const since = query.since ? new Date(query.since) : undefined;
    const until = query.until ? new Date(query.until) : undefined;
    if (since && until && since >= until) {
      throw new DomainError('validation_failed', {}, [{ field: 'since', rule: 'sinceBeforeUntil', message: 'since must be earlier than until' }]);
    }
    const fingerprint = filterFingerprint(principal, query);
    const before = query.cursor ? this.cursors.decode(query.cursor, fingerprint) : undefined;
    const rows = await this.events.page({
      tenantId: principal.tenantId,
      userId: principal.userId,
      ...(query.types?.length ? { types: query.types } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(before ? { before } : {}),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const first = page[0];
    return {
      items: page.map((event) => toItem(event, locale)),
      nextCursor: rows.length > query.limit && last ? this.cursors.encode(last, fingerprint) : null,
      headCursor: first ? this.cursors.encode(first, headFingerprint(principal)) : null,
    };
  }
}

/** Binds a cursor to the caller and the filters it was issued for. */
export function filterFingerprint(principal: Principal, query: Pick<FeedQueryDto, 'types' | 'since' | 'until'>): string {
  return JSON.stringify([principal.tenantId, principal.userId, [...(query.types ?? [])].sort(), query.since ?? null, query.until ?? null]);
}

/** Head cursors are for polling newer items, whatever the filters. */
export function headFingerprint(principal: Principal): string {
  return JSON.stringify([principal.tenantId, principal.userId, 'head']);
}

function toItem(event: ActivityEvent, locale: Locale): FeedItem {
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    occurredAt: event.occurredAt.toISOString(),
    receivedAt: event.receivedAt.toISOString(),
    summary: summarizeEvent(event, locale),
    actor: event.actor,
    ...(event.object ? { object: event.object } : {}),
    ...(event.target ? { target: event.target } : {}),
    payload: event.payload,
  };
}
