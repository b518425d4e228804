import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ActivityEvent, GroupingRule } from '@activity/domain';
import { DATA_SOURCE } from '../persistence.tokens';
import { inTenantTransaction, queryAsTenant, tenantOf, type TenantTransaction } from '../tenant-transaction';
import { EVENT_COLUMNS, toEvent, type EventRow, type InsertedEvent } from './activity-event.store';

/** EVENT_COLUMNS of the members (`e`) of a group. */
const SAMPLE_COLUMNS = EVENT_COLUMNS.split(', ')
  .map((column) => `e.${column}`)
  .join(', ');

/** Distinct actors kept per group (the exact count of a filtered group is counted from its members). */
const MAX_ACTORS = 20;

export interface FeedGroupQuery {
  readonly tenantId: string;
  readonly userId: string;
  readonly types?: readonly string[];
  readonly since?: Date;
  readonly until?: Date;
  /** Groups after this position (the last one of the previous page). */
  readonly after?: { readonly at: Date; readonly key: string };
  /** Only these groups (a real-time client's changed ones). */
  readonly keys?: readonly string[];
  readonly limit: number;
  /** Newest members given with each group. */
  readonly samples: number;
}

/** A group of a page, with what the filter lets through of it. */
export interface FeedGroup {
  readonly key: string;
  readonly type: string;
  readonly count: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
  /** Where the group stands in the page order: its last time, or `until` when that cuts it. */
  readonly position: Date;
  readonly newestEventId: string;
  readonly actorCount: number;
  readonly read: boolean;
  readonly seen: boolean;
  readonly samples: ActivityEvent[];
}

interface GroupRow {
  group_key: string;
  type: string;
  event_count: number;
  first_at: Date;
  last_at: Date;
  position: Date;
  last_event_id: string;
  actor_count: number;
  read: boolean;
  seen: boolean;
  samples: Array<Omit<EventRow, 'occurred_at' | 'received_at'> & { occurred_at: string; received_at: string }> | null;
}

/**
 * Aggregated-feed groups (see the feed_aggregation migration): kept with the events in their
 * transaction (`absorb`, `recount`), read a page at a time in one statement with their members
 * filtered by time and their newest samples (through the group index), and their read/seen state.
 */
@Injectable()
export class FeedGroupStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** New events join their groups (one statement per batch). */
  async absorb(tx: TenantTransaction, inserted: readonly InsertedEvent[]): Promise<void> {
    const members = inserted.filter((event) => event.userId && event.groupKey);
    if (members.length === 0) return;
    await tx.query(
      `INSERT INTO feed_groups AS g (tenant_id, user_id, group_key, type, event_count, first_at, last_at, last_event_id, actors)
       SELECT $1, m.user_id, m.group_key, min(m.type), count(*), min(m.occurred_at), max(m.occurred_at), max(m.id::bigint),
              (array_agg(DISTINCT m.actor_id))[1:${MAX_ACTORS}]
         FROM jsonb_to_recordset($2::jsonb) AS m(id text, user_id text, group_key text, type text, occurred_at timestamptz, actor_id text)
        GROUP BY m.user_id, m.group_key
        -- Rows are locked in one order by every writer, so two batches touching the same groups wait, never deadlock.
        ORDER BY m.user_id, m.group_key
       ON CONFLICT (tenant_id, user_id, group_key) DO UPDATE
         SET event_count = g.event_count + EXCLUDED.event_count,
             first_at = LEAST(g.first_at, EXCLUDED.first_at),
             last_at = GREATEST(g.last_at, EXCLUDED.last_at),
             last_event_id = GREATEST(g.last_event_id, EXCLUDED.last_event_id),
             actors = CASE WHEN cardinality(g.actors) >= ${MAX_ACTORS} THEN g.actors
                           ELSE (SELECT (array_agg(DISTINCT a))[1:${MAX_ACTORS}] FROM unnest(g.actors || EXCLUDED.actors) a) END,
             updated_at = now()`,
      [
        tenantOf(tx),
        JSON.stringify(
          members.map((event) => ({
            id: event.id,
            user_id: event.userId,
            group_key: event.groupKey,
            type: event.type,
            occurred_at: event.occurredAt.toISOString(),
            actor_id: event.actorId ?? '',
          })),
        ),
      ],
    );
  }

  /** Groups that lost members (withdrawn events) are counted again from what is left, and dropped when empty. */
  async recount(tx: TenantTransaction, groups: ReadonlyArray<{ userId: string; groupKey: string }>): Promise<void> {
    if (groups.length === 0) return;
    const params = [tenantOf(tx), groups.map((group) => group.userId), groups.map((group) => group.groupKey)];
    await tx.query(
      `UPDATE feed_groups g
          SET event_count = s.n, first_at = s.first_at, last_at = s.last_at, last_event_id = s.last_id, updated_at = now()
         FROM (SELECT k.user_id, k.group_key, count(e.id)::int AS n, min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at, max(e.id) AS last_id
                 FROM unnest($2::text[], $3::text[]) AS k(user_id, group_key)
                 LEFT JOIN activity_events e ON e.tenant_id = $1 AND e.user_id = k.user_id AND e.group_key = k.group_key
                GROUP BY k.user_id, k.group_key) s
        WHERE g.tenant_id = $1 AND g.user_id = s.user_id AND g.group_key = s.group_key AND s.n > 0`,
      params,
    );
    await tx.query(
      `DELETE FROM feed_groups g USING unnest($2::text[], $3::text[]) AS k(user_id, group_key)
        WHERE g.tenant_id = $1 AND g.user_id = k.user_id AND g.group_key = k.group_key
          AND NOT EXISTS (SELECT 1 FROM activity_events e WHERE e.tenant_id = $1 AND e.user_id = k.user_id AND e.group_key = k.group_key)`,
      params,
    );
  }

  /**
   * One page of a user's groups, newest first by (position, key). With `since`/`until`, only
   * groups with members in the window, each counted, timed and sampled from those members.
   */
  async page(query: FeedGroupQuery): Promise<FeedGroup[]> {
    const params: unknown[] = [];
    const tenant = `$${params.push(query.tenantId)}`;
    const user = `$${params.push(query.userId)}`;
    const memberWindow: string[] = [];
    if (query.since) memberWindow.push(`e.occurred_at >= $${params.push(query.since)}::timestamptz`);
    if (query.until) memberWindow.push(`e.occurred_at < $${params.push(query.until)}::timestamptz`);
    const windowed = memberWindow.length > 0;
    const members = `e.tenant_id = ${tenant} AND e.user_id = ${user} AND e.group_key = g.group_key${windowed ? ` AND ${memberWindow.join(' AND ')}` : ''}`;
    // A group wholly inside the window is shown with its stored numbers; only a group the window
    // cuts (at most the ones around since and until) is counted from its members.
    const inside = [
      ...(query.since ? [`g.first_at >= $${params.push(query.since)}::timestamptz`] : []),
      ...(query.until ? [`g.last_at < $${params.push(query.until)}::timestamptz`] : []),
    ];
    const cut = `NOT (${inside.join(' AND ')})`;
    const where = [`g.tenant_id = ${tenant}`, `g.user_id = ${user}`, 'g.event_count > 0'];
    if (query.types?.length) where.push(`g.type = ANY($${params.push(query.types)}::text[])`);
    if (query.keys) where.push(`g.group_key = ANY($${params.push(query.keys)}::text[])`);
    // A group whose last member is in the window is listed, at its last time (index order).
    if (query.since) where.push(`g.last_at >= $${params.push(query.since)}::timestamptz`);
    const limit = `$${params.push(query.limit)}::int`;
    const after = query.after ? { at: `$${params.push(query.after.at)}::timestamptz`, key: `$${params.push(query.after.key)}::text` } : undefined;
    let page: string;
    if (!query.until) {
      page = `SELECT g.*, g.last_at AS position FROM feed_groups g
               WHERE ${[...where, ...(after ? [`(g.last_at, g.group_key) < (${after.at}, ${after.key})`] : [])].join(' AND ')}
               ORDER BY g.last_at DESC, g.group_key DESC LIMIT ${limit}`;
    } else {
      // `until` cuts only the groups it falls inside (first_at < until <= last_at): those are placed at
      // their last member before it (none: not listed); every other group ends before it and keeps
      // its place, read in index order.
      const until = `$${params.push(query.until)}::timestamptz`;
      page = `SELECT * FROM (
                (SELECT g.*, (SELECT max(e.occurred_at) FROM activity_events e WHERE ${members}) AS position FROM feed_groups g
                  WHERE ${where.join(' AND ')} AND g.last_at >= ${until} AND g.first_at < ${until})
                UNION ALL
                (SELECT g.*, g.last_at AS position FROM feed_groups g
                  WHERE ${[...where, `g.last_at < ${until}`, ...(after ? [`(g.last_at, g.group_key) < (${after.at}, ${after.key})`] : [])].join(' AND ')}
                  ORDER BY g.last_at DESC, g.group_key DESC LIMIT ${limit})) u
               WHERE u.position IS NOT NULL ${after ? `AND (u.position, u.group_key) < (${after.at}, ${after.key})` : ''}
               ORDER BY u.position DESC, u.group_key DESC LIMIT ${limit}`;
    }
    const samples = `$${params.push(query.samples)}::int`;
    const sql = `
      WITH marker AS (
        SELECT coalesce(max(m.last_read_event_id), 0) AS read_id, coalesce(max(m.last_seen_event_id), 0) AS seen_id
          FROM feed_read_markers m WHERE m.tenant_id = ${tenant} AND m.user_id = ${user}),
      page AS (${page})
      SELECT g.group_key, g.type, g.position, g.last_event_id::text AS last_event_id,
             ${windowed ? `CASE WHEN ${cut} THEN st.n ELSE g.event_count END` : 'g.event_count'} AS event_count,
             ${windowed ? `CASE WHEN ${cut} THEN st.first_at ELSE g.first_at END` : 'g.first_at'} AS first_at,
             ${windowed ? `CASE WHEN ${cut} THEN st.last_at ELSE g.last_at END` : 'g.last_at'} AS last_at,
             ${windowed ? `CASE WHEN ${cut} THEN st.actor_count ELSE cardinality(g.actors) END` : 'cardinality(g.actors)'} AS actor_count,
             g.last_event_id <= GREATEST(g.read_event_id, marker.read_id) AS read,
             g.last_event_id <= GREATEST(g.seen_event_id, g.read_event_id, marker.seen_id, marker.read_id) AS seen,
             s.samples
        FROM page g CROSS JOIN marker
        ${
          windowed
            ? `CROSS JOIN LATERAL (SELECT count(*)::int AS n, min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at, count(DISTINCT e.actor->>'id')::int AS actor_count
                                     FROM activity_events e WHERE ${members} AND ${cut}) st`
            : ''
        }
        CROSS JOIN LATERAL (
          SELECT json_agg(x ORDER BY x.occurred_at DESC, x.id::bigint DESC) AS samples
            FROM (SELECT ${SAMPLE_COLUMNS}
                    FROM activity_events e WHERE ${members}
                   ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${samples}) x) s
       ORDER BY g.position DESC, g.group_key DESC`;
    const rows = await queryAsTenant<GroupRow>(this.dataSource, query.tenantId, sql, params as never);
    return rows.map((row) => ({
      key: row.group_key,
      type: row.type,
      count: row.event_count,
      firstAt: row.first_at,
      lastAt: row.last_at,
      position: row.position,
      newestEventId: row.last_event_id,
      actorCount: row.actor_count,
      read: row.read,
      seen: row.seen,
      samples: (row.samples ?? []).map((sample) => toEvent({ ...sample, occurred_at: new Date(sample.occurred_at), received_at: new Date(sample.received_at) })),
    }));
  }

  /** The groups of a user that gained members after an arrival id (what a real-time client is told about). */
  async changedSince(tenantId: string, userId: string, afterEventId: string, limit: number): Promise<Array<{ key: string; newestEventId: string }>> {
    const rows = await queryAsTenant<{ group_key: string; last_event_id: string }>(
      this.dataSource,
      tenantId,
      `SELECT group_key, last_event_id::text AS last_event_id FROM feed_groups
        WHERE tenant_id = $1 AND user_id = $2 AND last_event_id > $3::bigint ORDER BY last_event_id LIMIT $4::int`,
      [tenantId, userId, afterEventId, limit],
    );
    return rows.map((row) => ({ key: row.group_key, newestEventId: row.last_event_id }));
  }

  /** Marks one group read (and so seen) up to its newest member; false when the user has no such group. */
  async markRead(tenantId: string, userId: string, key: string, state: 'read' | 'seen'): Promise<boolean> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const column = state === 'read' ? 'read_event_id = last_event_id, seen_event_id = last_event_id' : 'seen_event_id = last_event_id';
      const rows = await tx.query(`UPDATE feed_groups SET ${column}, updated_at = now() WHERE tenant_id = $1 AND user_id = $2 AND group_key = $3 RETURNING 1`, [
        tenantId,
        userId,
        key,
      ]);
      const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as unknown[];
      return updated.length > 0;
    });
  }

  /** Everything seen up to the feed's newest arrival (read state unchanged). */
  async markAllSeen(tenantId: string, userId: string): Promise<void> {
    await inTenantTransaction(this.dataSource, tenantId, (tx) =>
      tx.query(
        `INSERT INTO feed_read_markers (tenant_id, user_id, last_read_event_id, last_read_occurred_at, last_seen_event_id)
         VALUES ($1, $2, 0, now(), coalesce((SELECT max(id) FROM activity_events WHERE tenant_id = $1 AND user_id = $2), 0))
         ON CONFLICT (tenant_id, user_id) DO UPDATE
           SET last_seen_event_id = GREATEST(feed_read_markers.last_seen_event_id, EXCLUDED.last_seen_event_id), updated_at = now()`,
        [tenantId, userId],
      ),
    );
  }

  /** Unread and unseen groups (each counts once, however many members), at most `cap + 1` of each. */
  async countUnread(tenantId: string, userId: string, cap: number): Promise<{ unread: number; unseen: number }> {
    const rows = await queryAsTenant<{ unread: number; unseen: number }>(
      this.dataSource,
      tenantId,
      `WITH marker AS (
         SELECT coalesce(max(last_read_event_id), 0) AS read_id, coalesce(max(last_seen_event_id), 0) AS seen_id
           FROM feed_read_markers WHERE tenant_id = $1 AND user_id = $2)
       SELECT (SELECT count(*)::int FROM (SELECT 1 FROM feed_groups g, marker
                 WHERE g.tenant_id = $1 AND g.user_id = $2 AND g.event_count > 0 AND g.last_event_id > GREATEST(marker.read_id, g.read_event_id) LIMIT $3::int) u) AS unread,
              (SELECT count(*)::int FROM (SELECT 1 FROM feed_groups g, marker
                 WHERE g.tenant_id = $1 AND g.user_id = $2 AND g.event_count > 0
                   AND g.last_event_id > GREATEST(marker.read_id, marker.seen_id, g.read_event_id, g.seen_event_id) LIMIT $3::int) s) AS unseen`,
      [tenantId, userId, cap + 1],
    );
    return rows[0]!;
  }

  /** A tenant's own grouping rules, by type. */
  async rules(tx: TenantTransaction): Promise<Map<string, GroupingRule>> {
    const rows: Array<{ type: string; fields: string[]; window_seconds: number }> = await tx.query(
      `SELECT type, fields, window_seconds FROM feed_grouping_rules WHERE tenant_id = $1`,
      [tenantOf(tx)],
    );
    return new Map(rows.map((row) => [row.type, { fields: row.fields as GroupingRule['fields'], windowSeconds: row.window_seconds }]));
  }

  async putRule(tx: TenantTransaction, type: string, rule: GroupingRule): Promise<void> {
    await tx.query(
      `INSERT INTO feed_grouping_rules (tenant_id, type, fields, window_seconds) VALUES ($1, $2, $3::text[], $4)
       ON CONFLICT (tenant_id, type) DO UPDATE SET fields = EXCLUDED.fields, window_seconds = EXCLUDED.window_seconds, updated_at = now()`,
      [tenantOf(tx), type, rule.fields, rule.windowSeconds],
    );
  }

  async deleteRule(tx: TenantTransaction, type: string): Promise<boolean> {
    const rows = await tx.query(`DELETE FROM feed_grouping_rules WHERE tenant_id = $1 AND type = $2 RETURNING 1`, [tenantOf(tx), type]);
    return ((Array.isArray(rows[0]) ? rows[0] : rows) as unknown[]).length > 0;
  }
}
