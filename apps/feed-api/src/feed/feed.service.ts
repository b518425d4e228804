import type { Principal } from '@activity/auth';
import { compositeKey, DomainError, eventCatalogue, parseInstant, type ActivityEvent, type FeedCursor, type LinkPreview, type Locale } from '@activity/domain';
import type { ActivityEventStore, FeedReadMarkerStore, ReplicaRouting } from '@activity/persistence';
import type { GenerationalCache } from '@activity/platform';
import type { ReadBroadcast } from '../realtime/read-broadcast';
import type { UnreadCount, UnreadCounter } from '../unread/unread-counter';
import type { FeedFilterDto, FeedQueryDto, FeedScope, MarkReadDto } from './feed-query.dto';
import { messages } from '@activity/i18n';
import { metricsRegistry } from '@activity/observability';
import { Counter } from 'prom-client';

const arrivalQueries = new Counter({
  name: 'feed_realtime_arrival_queries_total',
  help: 'Looks for events newer than a stream or long-poll has: queried, or shared with an identical one in flight',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

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
  /** Previews of the links in the event's text, once fetched (an SSE `item.updated` announces them). */
  linkPreviews?: readonly LinkPreview[];
}

export interface FeedPage {
  items: FeedItem[];
  /** Pass back as `cursor` for the next (older) page; null at the end of the feed. */
  nextCursor: string | null;
  /** Marks the newest item returned: poll with it for newer ones, or mark read up to it. Null on an empty page. */
  headCursor: string | null;
}

interface FilterWindow {
  since?: Date;
  until?: Date;
}

/** Feed reads, read markers and the "newer than" queries real-time clients use. */
export class FeedService {
  private readonly arrivals = new Map<string, Promise<ActivityEvent[]>>();

  constructor(
    private readonly events: ActivityEventStore,
    private readonly markers: FeedReadMarkerStore,
    private readonly unread: UnreadCounter,
    private readonly readBroadcast: ReadBroadcast,
    private readonly cursors: FeedCursor,
    private readonly cache: GenerationalCache,
    /** Where reads that may be slightly stale go (a streaming replica, when configured). */
    private readonly replica?: { events: ActivityEventStore; routing: ReplicaRouting },
  ) {}

  /** The store for a read that may be slightly stale: the replica's when it is usable and has the caller's own writes. */
  private async staleTolerant(principal: Principal): Promise<ActivityEventStore> {
    if (!this.replica) return this.events;
    return this.replica.routing.choose(compositeKey(principal.tenantId, principal.userId), this.events, this.replica.events);
  }

  /**
   * GET /v2/feed, serialised. A user's first page without filters (what every app opens with) is
   * kept in the user's feed cache per locale and size, until the user's next feed.updated drops
   * it: it is filled only from the database, so it never shows an event the database does not
   * have, and a fill that raced a new event is never served (see GenerationalCache).
   */
  async pageJson(principal: Principal, query: FeedQueryDto, locale: Locale): Promise<string> {
    const firstPage = query.scope === 'user' && !query.cursor && !query.types?.length && !query.since && !query.until;
    // Pages past the first and filtered pages may come from the replica; the first page is filled
    // from the primary only, so a page cached after an event's notification always has the event.
    if (!firstPage) return JSON.stringify(await this.page(principal, query, locale, await this.staleTolerant(principal)));
    return this.cache.get('first_page', compositeKey(principal.tenantId, principal.userId), `page:${locale}:${query.limit}`, async () =>
      JSON.stringify(await this.page(principal, query, locale)),
    );
  }

  /** GET /v2/feed: keyset pagination; the cursor is bound to the caller, scope and filters. */
  async page(principal: Principal, query: FeedQueryDto, locale: Locale, events = this.events): Promise<FeedPage> {
    const window = timeWindow(query);
    const fingerprint = filterFingerprint(principal, query);
    const before = query.cursor ? this.cursors.decode(query.cursor, fingerprint) : undefined;
    const rows = await events.page({
      tenantId: principal.tenantId,
      userId: query.scope === 'tenant' ? null : principal.userId,
      ...(query.types?.length ? { types: query.types } : {}),
      ...window,
      ...(before ? { before } : {}),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((event) => toItem(event, locale)),
      nextCursor: rows.length > query.limit && last ? this.cursors.encode(last, fingerprint) : null,
      headCursor: this.headCursorOf(principal, query.scope, newestArrival(page)),
    };
  }

  /** GET /v1/feed (deprecated): OFFSET pagination over the same filters. */
  async legacyPage(principal: Principal, filters: FeedFilterDto, page: number, pageSize: number, locale: Locale): Promise<{ items: FeedItem[]; hasMore: boolean }> {
    const rows = await (
      await this.staleTolerant(principal)
    ).page({
      tenantId: principal.tenantId,
      userId: filters.scope === 'tenant' ? null : principal.userId,
      ...(filters.types?.length ? { types: filters.types } : {}),
      ...timeWindow(filters),
      limit: pageSize + 1,
      offset: (page - 1) * pageSize,
    });
    return { items: rows.slice(0, pageSize).map((event) => toItem(event, locale)), hasMore: rows.length > pageSize };
  }

  /** One event of the caller's feed (or, for tenant scope, of the tenant's), e.g. after it changed; undefined when it is not there. */
  async item(principal: Principal, scope: FeedScope, eventId: string, locale: Locale): Promise<FeedItem | undefined> {
    const event = await this.events.byId(principal.tenantId, scope === 'tenant' ? null : principal.userId, eventId);
    return event && toItem(event, locale);
  }

  /** Where a real-time client starts: after its head cursor, or after whatever exists now. */
  async resumePoint(principal: Principal, scope: FeedScope, headCursor: string | undefined): Promise<string> {
    if (headCursor) return this.cursors.decode(headCursor, headFingerprint(principal, scope)).id;
    return this.events.latestId(principal.tenantId, scope === 'tenant' ? null : principal.userId);
  }

  /** Events that arrived after `afterId`, newest first, with the head cursor after them. */
  async arrivedAfter(
    principal: Principal,
    scope: FeedScope,
    afterId: string,
    locale: Locale,
    limit = 100,
  ): Promise<{ items: FeedItem[]; events: ActivityEvent[]; headCursor: string | null }> {
    const events = await this.sharedArrivals(principal.tenantId, scope === 'tenant' ? null : principal.userId, afterId, limit);
    const newestFirst = [...events].reverse();
    return { events, items: newestFirst.map((event) => toItem(event, locale)), headCursor: this.headCursorOf(principal, scope, newestArrival(events)) };
  }

  /**
   * One feed.updated wakes every open stream and long-poll of its user at once, and they usually
   * ask for the same thing (events after the same id): they share one query while it runs.
   */
  private sharedArrivals(tenantId: string, userId: string | null, afterId: string, limit: number): Promise<ActivityEvent[]> {
    const key = `${tenantId}\u0000${userId ?? '*'}\u0000${afterId}\u0000${limit}`;
    const running = this.arrivals.get(key);
    if (running) {
      arrivalQueries.inc({ result: 'shared' });
      return running;
    }
    arrivalQueries.inc({ result: 'queried' });
    const query = this.events.arrivedAfter(tenantId, userId, afterId, limit).finally(() => this.arrivals.delete(key));
    this.arrivals.set(key, query);
    return query;
  }

  unreadCount(principal: Principal): Promise<UnreadCount> {
    return this.unread.count(principal.tenantId, principal.userId);
  }

  /** POST /v2/feed/read. Only ever moves the marker forward; tells the user's other devices. */
  async markRead(principal: Principal, body: MarkReadDto): Promise<{ lastReadEventId: string; unread: UnreadCount }> {
    const given = [body.eventId, body.cursor, body.all].filter((value) => value !== undefined && value !== false);
    if (given.length !== 1) {
      throw new DomainError('validation_failed', {}, [{ field: 'eventId', rule: 'exactlyOne', message: 'send exactly one of eventId, cursor or all: true' }]);
    }
    let upTo: string;
    if (body.all) {
      upTo = await this.events.latestId(principal.tenantId, principal.userId);
    } else {
      upTo = body.cursor ? this.cursors.decode(body.cursor, headFingerprint(principal, 'user')).id : body.eventId!;
      // Only the caller's own events can be a read position: another feed's id is "not found".
      const [own] = await this.events.arrivedAfter(principal.tenantId, principal.userId, (BigInt(upTo) - 1n).toString(), 1);
      if (!own || own.id !== upTo) throw new DomainError('not_found', { path: `event ${upTo}` });
    }
    const lastReadEventId = await this.markers.advance(principal.tenantId, principal.userId, upTo);
    // Read-your-writes: until the replica has this, the caller's replica-eligible reads use the primary.
    await this.replica?.routing.noteWrite(compositeKey(principal.tenantId, principal.userId));
    await this.unread.invalidate(principal.tenantId, principal.userId);
    await this.readBroadcast.publish(principal.tenantId, principal.userId);
    return { lastReadEventId, unread: await this.unread.count(principal.tenantId, principal.userId) };
  }

  private headCursorOf(principal: Principal, scope: FeedScope, newest: ActivityEvent | undefined): string | null {
    return newest ? this.cursors.encode(newest, headFingerprint(principal, scope)) : null;
  }
}

export function timeWindow(filters: FeedFilterDto): FilterWindow {
  const since = filters.since ? parseInstant(filters.since, { allowDate: true })! : undefined;
  const until = filters.until ? parseInstant(filters.until, { allowDate: true })! : undefined;
  if (since && until && since >= until) {
    throw new DomainError('validation_failed', {}, [{ field: 'since', rule: 'sinceBeforeUntil', message: 'since must be earlier than until' }]);
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** The newest arrival (highest id) among events: what "newer than this" is measured from. */
function newestArrival(events: readonly ActivityEvent[]): ActivityEvent | undefined {
  return events.reduce<ActivityEvent | undefined>((best, event) => (!best || BigInt(event.id) > BigInt(best.id) ? event : best), undefined);
}

/** Binds a cursor to the caller, the scope and the filters it was issued for. */
export function filterFingerprint(principal: Principal, query: Pick<FeedQueryDto, 'types' | 'since' | 'until' | 'scope'>): string {
  return JSON.stringify([principal.tenantId, principal.userId, query.scope, [...(query.types ?? [])].sort(), query.since ?? null, query.until ?? null]);
}

/** Head cursors mark an arrival position in a feed, whatever the filters. */
export function headFingerprint(principal: Principal, scope: FeedScope): string {
  return JSON.stringify([principal.tenantId, principal.userId, scope, 'head']);
}

export function toItem(event: ActivityEvent, locale: Locale): FeedItem {
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    occurredAt: event.occurredAt.toISOString(),
    receivedAt: event.receivedAt.toISOString(),
    summary: eventCatalogue().summarize(event, locale, messages()),
    actor: event.actor,
    ...(event.object ? { object: event.object } : {}),
    ...(event.target ? { target: event.target } : {}),
    payload: event.payload,
    ...(event.linkPreviews?.length ? { linkPreviews: event.linkPreviews } : {}),
  };
}
