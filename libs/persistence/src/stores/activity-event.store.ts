import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource } from 'typeorm';
import type { ActivityEvent, ActivityObject, FeedPosition, NewActivityEvent } from '@activity/domain';
import { queryAsTenant, type TenantTransaction } from '../tenant-transaction';

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

export interface InsertedEvent {
  readonly id: string;
  readonly userId: string | null;
  readonly type: string;
  readonly occurredAt: Date;
}

interface EventRow {
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
}

const COLUMNS = `id::text AS id, tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, received_at, payload`;

/** Reads and writes `activity_events`. Every method takes the tenant explicitly. */
@Injectable()
export class ActivityEventStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Inserts the events that are new; duplicates (same tenant, source, source_event_id) are
   * skipped by the unique constraint. Returns only the rows actually inserted. Must run inside
   * a tenant transaction (the caller adds outbox rows in the same one).
   */
  async insertNew(manager: TenantTransaction, events: readonly NewActivityEvent[]): Promise<InsertedEvent[]> {
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
    }));
    const rows: Array<{ id: string; user_id: string | null; type: string; occurred_at: Date }> = await manager.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, payload)
       SELECT e.tenant_id, e.user_id, e.source, e.source_event_id, e.type, e.actor, e.object, e.target, e.occurred_at, e.payload
         FROM jsonb_to_recordset($1::jsonb) AS e(tenant_id text, user_id text, source text, source_event_id text, type text,
                                                 actor jsonb, object jsonb, target jsonb, occurred_at timestamptz, payload jsonb)
       ON CONFLICT ON CONSTRAINT uq_activity_events_source_event DO NOTHING
       RETURNING id::text AS id, user_id, type, occurred_at`,
      [JSON.stringify(records)],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, type: row.type, occurredAt: row.occurred_at }));
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
      `SELECT ${COLUMNS} FROM activity_events e WHERE e.tenant_id = $1 ${userClause} AND e.id > $2::bigint ORDER BY e.id LIMIT $3::int`,
      params,
    );
    return rows.map(toEvent);
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

  /** One page of a feed, newest first, ordered by (occurred_at desc, id desc). */
  async page(query: FeedQuery & { offset?: number }): Promise<ActivityEvent[]> {
    const params: Array<string | number | Date | readonly string[]> = [query.tenantId];
    const where = ['e.tenant_id = $1'];
    if (query.userId !== null) {
      params.push(query.userId);
      where.push(`e.user_id = $${params.length}`);
    }
    if (query.types?.length) {
      params.push(query.types);
      where.push(`e.type = ANY($${params.length}::text[])`);
    }
    if (query.since) {
      params.push(query.since);
      where.push(`e.occurred_at >= $${params.length}::timestamptz`);
    }
    if (query.until) {
      params.push(query.until);
      where.push(`e.occurred_at < $${params.length}::timestamptz`);
    }
    if (query.before) {
      params.push(query.before.occurredAt, query.before.id);
      where.push(`(e.occurred_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(query.limit);
    const limit = `$${params.length}::int`;
    // OFFSET serves only the deprecated v1 API; its cost grows with depth, which is why v2 exists.
    const offset = query.offset ? ` OFFSET $${params.push(query.offset)}::int` : '';
    // Qualified ORDER BY: a bare `id` would sort by the text alias in the select list, not the bigint column.
    const sql = `SELECT ${COLUMNS} FROM activity_events e WHERE ${where.join(' AND ')}
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${limit}${offset}`;
    const rows = await queryAsTenant<EventRow>(this.dataSource, query.tenantId, sql, params);
    return rows.map(toEvent);
  }
}

function toEvent(row: EventRow): ActivityEvent {
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
  };
}
