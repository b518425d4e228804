import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource } from 'typeorm';
import type { ActivityEvent, ActivityObject, FeedPosition, LinkPreview, NewActivityEvent, SearchSnapshot } from '@activity/domain';
import { queryAsTenant, tenantOf, type TenantTransaction } from '../tenant-transaction';

export interface FeedQuery {
  readonly tenantId: string;
  /** The feed owner; `null` reads the whole tenant's feed. */
  readonly userId: string | null;
  readonly types?: readonly string[];
  readonly since?: Date;
  readonly until?: Date;
  /** Keyset position: only events strictly older than this. */
  readonly before?: FeedPosition;
  readonly limit: number;
}

export interface SearchQuery extends Omit<FeedQuery, 'before'> {
  /** tsquery text (searchTsquery) and the configurations it is parsed with (any one may match). */
  readonly tsquery: string;
  readonly configurations: ReadonlyArray<'english' | 'russian'>;
  /** The first page's snapshot, or the last result of the previous page. */
  readonly position: SearchSnapshot;
  /** Ranking looks at this many of the newest matches at most. */
  readonly candidates: number;
}

export interface SearchHit {
  readonly event: ActivityEvent;
  readonly score: number;
  /** `ts_headline` over the event's search text: matches between U+E000 and U+E001. */
  readonly snippet: string;
}

/** Recency halves a result's weight every this many days (text rank decides among equally recent ones). */
const RECENCY_HALF_LIFE_DAYS = 14;

export interface InsertedEvent {
  readonly id: string;
  readonly source: string;
  readonly sourceEventId: string;
  readonly userId: string | null;
  readonly type: string;
  readonly occurredAt: Date;
  /** The aggregated-feed group it joined (events of a user's feed), and its actor. */
  readonly groupKey?: string;
  readonly actorId?: string;
}

export interface EventRow {
  id: string;
  tenant_id: string;
  user_id: string | null;
  source: string;
  source_event_id: string;
  type: string;
  actor: ActivityObject;
  object: ActivityObject | null;
  target: ActivityObject | null;
  occurred_at: Date;
  received_at: Date;
  payload: Record<string, unknown>;
  link_previews: LinkPreview[] | null;
}

export const EVENT_COLUMNS = `id::text AS id, tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, received_at, payload, link_previews`;

/** Reads and writes `activity_events`. Every method takes the tenant explicitly. */
@Injectable()
export class ActivityEventStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Inserts the events that are new; duplicates (same tenant, source, source_event_id) are
   * skipped by the unique constraint. Returns only the rows actually inserted. Must run inside
   * a tenant transaction (the caller adds outbox rows in the same one).
   */
  async insertNew(manager: TenantTransaction, events: ReadonlyArray<NewActivityEvent & { readonly searchText?: string; readonly groupKey?: string }>): Promise<InsertedEvent[]> {
    if (events.length === 0) return [];
    const records = events.map((event) => ({
      tenant_id: event.tenantId,
      user_id: event.userId,
      source: event.source,
      source_event_id: event.sourceEventId,
      type: event.type,
      actor: event.actor,
      object: event.object ?? null,
      target: event.target ?? null,
      occurred_at: event.occurredAt.toISOString(),
      payload: event.payload,
      search_text: event.searchText ?? null,
      group_key: event.userId ? (event.groupKey ?? null) : null,
    }));
    const rows: Array<{
      id: string;
      source: string;
      source_event_id: string;
      user_id: string | null;
      type: string;
      occurred_at: Date;
      group_key: string | null;
      actor_id: string;
    }> = await manager.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, payload, search_text, group_key)
       SELECT e.tenant_id, e.user_id, e.source, e.source_event_id, e.type, e.actor, e.object, e.target, e.occurred_at, e.payload, e.search_text, e.group_key
         FROM jsonb_to_recordset($1::jsonb) AS e(tenant_id text, user_id text, source text, source_event_id text, type text,
                                                 actor jsonb, object jsonb, target jsonb, occurred_at timestamptz, payload jsonb, search_text text, group_key text)
       ON CONFLICT ON CONSTRAINT uq_activity_events_source_event DO NOTHING
       RETURNING id::text AS id, source, source_event_id, user_id, type, occurred_at, group_key, actor->>'id' AS actor_id`,
      [JSON.stringify(records)],
    );
    return rows.map((row) => ({
      id: row.id,
      source: row.source,
      sourceEventId: row.source_event_id,
      userId: row.user_id,
      type: row.type,
      occurredAt: row.occurred_at,
      ...(row.group_key ? { groupKey: row.group_key, actorId: row.actor_id } : {}),
    }));
  }

  /**
   * Gives stored events the new content of a revised one (same tenant, source and source event
   * id): object, payload and search text, when they differ. Answers the rows changed.
   */
  async revise(
    manager: TenantTransaction,
    events: ReadonlyArray<Pick<NewActivityEvent, 'source' | 'sourceEventId' | 'object' | 'payload'> & { readonly searchText?: string }>,
  ): Promise<Array<{ id: string; userId: string | null }>> {
    if (events.length === 0) return [];
    const records = events.map((event) => ({
      source: event.source,
      source_event_id: event.sourceEventId,
      object: event.object ?? null,
      payload: event.payload,
      search_text: event.searchText ?? null,
    }));
    const rows = await manager.query(
      `UPDATE activity_events a SET object = e.object, payload = e.payload, search_text = e.search_text
         FROM jsonb_to_recordset($2::jsonb) AS e(source text, source_event_id text, object jsonb, payload jsonb, search_text text)
        WHERE a.tenant_id = $1 AND a.source = e.source AND a.source_event_id = e.source_event_id
          AND (a.object IS DISTINCT FROM e.object OR a.payload IS DISTINCT FROM e.payload)
        RETURNING a.id::text AS id, a.user_id`,
      [tenantOf(manager), JSON.stringify(records)],
    );
    // A bare UPDATE answers [rows, count] through TypeORM.
    const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ id: string; user_id: string | null }>;
    return updated.map((row) => ({ id: row.id, userId: row.user_id }));
  }

  /** Removes events the platform withdrew (by source event id); answers the rows removed. */
  async retract(manager: TenantTransaction, source: string, sourceEventIds: readonly string[]): Promise<Array<{ id: string; userId: string | null; groupKey: string | null }>> {
    if (sourceEventIds.length === 0) return [];
    const rows = await manager.query(
      `DELETE FROM activity_events WHERE tenant_id = $1 AND source = $2 AND source_event_id = ANY($3::text[]) RETURNING id::text AS id, user_id, group_key`,
      [tenantOf(manager), source, sourceEventIds],
    );
    const removed = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ id: string; user_id: string | null; group_key: string | null }>;
    return removed.map((row) => ({ id: row.id, userId: row.user_id, groupKey: row.group_key }));
  }

  /**
   * Events that arrived after `afterId` (by id, ascending, i.e. oldest first), for long-poll and
   * streaming clients catching up. `userId: null` reads the tenant feed.
   */
  async arrivedAfter(tenantId: string, userId: string | null, afterId: string, limit: number): Promise<ActivityEvent[]> {
    const params: Array<string | number> = [tenantId, afterId, limit];
    const userClause = userId === null ? '' : `AND e.user_id = $${params.push(userId)}`;
    const rows = await queryAsTenant<EventRow>(
      this.dataSource,
      tenantId,
      `SELECT ${EVENT_COLUMNS} FROM activity_events e WHERE e.tenant_id = $1 ${userClause} AND e.id > $2::bigint ORDER BY e.id LIMIT $3::int`,
      params,
    );
    return rows.map(toEvent);
  }

  /** The newest event of a type in a user's feed (what a connector looks back at, e.g. when a stream started). */
  async latestOfType(tx: TenantTransaction, userId: string, type: string): Promise<{ occurredAt: Date; payload: Record<string, unknown> } | null> {
    const rows: Array<{ occurred_at: Date; payload: Record<string, unknown> }> = await tx.query(
      `SELECT occurred_at, payload FROM activity_events WHERE tenant_id = $1 AND user_id = $2 AND type = $3 ORDER BY occurred_at DESC, id DESC LIMIT 1`,
      [tenantOf(tx), userId, type],
    );
    return rows[0] ? { occurredAt: rows[0].occurred_at, payload: rows[0].payload } : null;
  }

  /** One event of a feed (`userId: null`: the tenant's), or undefined. */
  async byId(tenantId: string, userId: string | null, id: string): Promise<ActivityEvent | undefined> {
    const params: Array<string> = [tenantId, id];
    const userClause = userId === null ? '' : `AND e.user_id = $${params.push(userId)}`;
    const rows = await queryAsTenant<EventRow>(
      this.dataSource,
      tenantId,
      `SELECT ${EVENT_COLUMNS} FROM activity_events e WHERE e.tenant_id = $1 AND e.id = $2::bigint ${userClause}`,
      params,
    );
    return rows[0] && toEvent(rows[0]);
  }

  /** The newest arrival id in a feed ("0" when empty): where a client with no cursor starts waiting. */
  async latestId(tenantId: string, userId: string | null): Promise<string> {
    const params: string[] = [tenantId];
    const userClause = userId === null ? '' : `AND e.user_id = $${params.push(userId)}`;
    const rows = await queryAsTenant<{ id: string | null }>(
      this.dataSource,
      tenantId,
      `SELECT max(e.id)::text AS id FROM activity_events e WHERE e.tenant_id = $1 ${userClause}`,
      params,
    );
    return rows[0]?.id ?? '0';
  }

  /** Attaches the previews of an event's links; the feed owner (null: tenant feed), or undefined when the event is gone. */
  async attachLinkPreviews(tx: TenantTransaction, eventId: string, previews: readonly LinkPreview[]): Promise<{ userId: string | null } | undefined> {
    const rows: Array<{ user_id: string | null }> = await tx.query(`UPDATE activity_events SET link_previews = $2::jsonb WHERE id = $1::bigint RETURNING user_id`, [
      eventId,
      JSON.stringify(previews),
    ]);
    // A bare UPDATE answers [rows, count] through TypeORM.
    const [updated] = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ user_id: string | null }>;
    return updated ? { userId: updated.user_id } : undefined;
  }

  /** One page of a feed, newest first, ordered by (occurred_at desc, id desc). */
  async page(query: FeedQuery & { offset?: number }): Promise<ActivityEvent[]> {
    const params: SqlParams = [];
    const where = feedFilters(query, params);
    if (query.before) {
      params.push(query.before.occurredAt, query.before.id);
      where.push(`(e.occurred_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(query.limit);
    const limit = `$${params.length}::int`;
    // OFFSET serves only the deprecated v1 API; its cost grows with depth, which is why v2 exists.
    const offset = query.offset ? ` OFFSET $${params.push(query.offset)}::int` : '';
    // Qualified ORDER BY: a bare `id` would sort by the text alias in the select list, not the bigint column.
    const sql = `SELECT ${EVENT_COLUMNS} FROM activity_events e WHERE ${where.join(' AND ')}
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${limit}${offset}`;
    const rows = await queryAsTenant<EventRow>(this.dataSource, query.tenantId, sql, params);
    return rows.map(toEvent);
  }

  /**
   * Full-text search within a feed: the newest `candidates` matches of the snapshot (ids up to
   * `maxId`), scored by text rank (`ts_rank_cd`, normalised to 0..1) plus recency measured from
   * `asOf` (1 now, ½ after RECENCY_HALF_LIFE_DAYS), ordered by (score desc, id desc) after the
   * position. The same snapshot and instant on every page: pages neither shift nor repeat while
   * events arrive.
   */
  async search(query: SearchQuery): Promise<SearchHit[]> {
    const params: SqlParams = [];
    const tsquery = query.configurations.map((configuration) => `to_tsquery('${configuration}'::regconfig, $${params.push(query.tsquery)})`).join(' || ');
    const userId = `$${params.push(query.userId)}::text`;
    const types = `$${params.push(query.types?.length ? query.types : null)}::text[]`;
    const since = `$${params.push(query.since ?? null)}::timestamptz`;
    const until = `$${params.push(query.until ?? null)}::timestamptz`;
    const maxId = `$${params.push(query.position.maxId)}::bigint`;
    const candidates = `$${params.push(query.candidates)}::int`;
    const asOf = `$${params.push(query.position.asOf)}::timestamptz`;
    const after =
      query.position.score !== undefined && query.position.id !== undefined
        ? `WHERE (r.score, r.id) < ($${params.push(query.position.score)}::float8, $${params.push(query.position.id)}::bigint)`
        : '';
    const limit = `$${params.push(query.limit)}::int`;
    // The candidates come through the index (search_activity_event_ids, bound to this transaction's
    // tenant); the rows themselves are read here, under row-level security like every read.
    // Snippets are made for the page only (`top`): ts_headline re-parses the text, the costliest step per row.
    const sql = `
      WITH q AS (SELECT ${tsquery} AS query),
      candidates AS (SELECT c.id FROM q, search_activity_event_ids(q.query, ${userId}, ${types}, ${since}, ${until}, ${maxId}, ${candidates}) c),
      ranked AS (
        SELECT e.*, q.query,
               (ts_rank_cd(e.search_vector, q.query, 32) + power(0.5, greatest(0, extract(epoch FROM ${asOf} - e.occurred_at)) / ${RECENCY_HALF_LIFE_DAYS * 86_400}))::float8 AS score
          FROM activity_events e, q
         WHERE e.id IN (SELECT id FROM candidates) AND e.tenant_id = current_setting('app.tenant_id')
      ),
      top AS (SELECT r.* FROM ranked r ${after} ORDER BY r.score DESC, r.id DESC LIMIT ${limit})
      SELECT ${EVENT_COLUMNS}, t.score,
             ts_headline('russian'::regconfig, coalesce(t.search_text, ''), t.query,
               'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') AS snippet
        FROM top t
       ORDER BY t.score DESC, t.id DESC`;
    const rows = await queryAsTenant<EventRow & { score: number; snippet: string }>(this.dataSource, query.tenantId, sql, params);
    return rows.map((row) => ({ event: toEvent(row), score: row.score, snippet: row.snippet }));
  }
}

type SqlParams = Array<string | number | Date | readonly string[] | null>;

/** The feed's own filters (tenant, owner, types, time window) as WHERE clauses over `e`, appending their parameters. */
function feedFilters(query: FeedQuery, params: SqlParams): string[] {
  const where = [`e.tenant_id = $${params.push(query.tenantId)}`];
  if (query.userId !== null) where.push(`e.user_id = $${params.push(query.userId)}`);
  if (query.types?.length) where.push(`e.type = ANY($${params.push(query.types)}::text[])`);
  if (query.since) where.push(`e.occurred_at >= $${params.push(query.since)}::timestamptz`);
  if (query.until) where.push(`e.occurred_at < $${params.push(query.until)}::timestamptz`);
  return where;
}

export function toEvent(row: EventRow): ActivityEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    source: row.source,
    sourceEventId: row.source_event_id,
    type: row.type,
    actor: row.actor,
    ...(row.object ? { object: row.object } : {}),
    ...(row.target ? { target: row.target } : {}),
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    payload: row.payload,
    ...(row.link_previews?.length ? { linkPreviews: row.link_previews } : {}),
  };
}
