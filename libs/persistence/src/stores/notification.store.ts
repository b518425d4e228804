import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ActivityObject } from '@activity/domain';
import { DATA_SOURCE } from '../persistence.tokens';
import { inTenantTransaction, queryAsTenant, tenantOf, type TenantTransaction } from '../tenant-transaction';

export interface StoredNotification {
  readonly id: string;
  readonly userId: string;
  readonly kind: 'mention';
  readonly eventId: string;
  readonly actor: ActivityObject;
  readonly excerpt: string;
  readonly createdAt: Date;
  readonly seenAt: Date | null;
  readonly readAt: Date | null;
}

interface Row {
  id: string;
  user_id: string;
  kind: 'mention';
  event_id: string;
  actor: ActivityObject;
  excerpt: string;
  created_at: Date;
  seen_at: Date | null;
  read_at: Date | null;
}

const COLUMNS = `id::text AS id, user_id, kind, event_id::text AS event_id, actor, excerpt, created_at, seen_at, read_at`;

function toNotification(row: Row): StoredNotification {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    eventId: row.event_id,
    actor: row.actor,
    excerpt: row.excerpt,
    createdAt: row.created_at,
    seenAt: row.seen_at,
    readAt: row.read_at,
  };
}

/** What a mark moves: one notification, everything up to one, or all. */
export type NotificationSelection = { readonly id: string } | { readonly upTo: string } | { readonly all: true };

/**
 * Users' handles (what `@name` resolves to) and their notifications (see the
 * mention_notifications migration). Notifications are written in the tenant transaction of the
 * event that mentions (once per recipient and event) and read newest first by id.
 */
@Injectable()
export class NotificationStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The users of the caller's tenant with these handles (compared in lower case). */
  async resolveHandles(tx: TenantTransaction, keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows: Array<{ handle_key: string; user_id: string }> = await tx.query(
      `SELECT handle_key, user_id FROM user_handles WHERE tenant_id = $1 AND handle_key = ANY($2::text[])`,
      [tenantOf(tx), keys],
    );
    return new Map(rows.map((row) => [row.handle_key, row.user_id]));
  }

  /** A user's handle (a user has one; a handle is one user's): set, replacing the user's old one. Answers false when another user holds it. */
  async setHandle(tenantId: string, userId: string, handle: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const key = handle.normalize('NFC').toLowerCase();
      const [holder] = (await tx.query(`SELECT user_id FROM user_handles WHERE tenant_id = $1 AND handle_key = $2`, [tenantId, key])) as Array<{ user_id: string }>;
      if (holder && holder.user_id !== userId) return false;
      await tx.query(`DELETE FROM user_handles WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
      await tx.query(`INSERT INTO user_handles (tenant_id, handle_key, handle, user_id) VALUES ($1, $2, $3, $4)`, [tenantId, key, handle.normalize('NFC'), userId]);
      return true;
    });
  }

  /** New notifications (a replayed event adds none); answers the rows written. */
  async insert(tx: TenantTransaction, notifications: ReadonlyArray<{ userId: string; eventId: string; actor: ActivityObject; excerpt: string }>): Promise<StoredNotification[]> {
    if (notifications.length === 0) return [];
    const rows: Row[] = await tx.query(
      `INSERT INTO notifications (tenant_id, user_id, kind, event_id, actor, excerpt)
       SELECT $1, n.user_id, 'mention', n.event_id::bigint, n.actor, n.excerpt
         FROM jsonb_to_recordset($2::jsonb) AS n(user_id text, event_id text, actor jsonb, excerpt text)
       ON CONFLICT ON CONSTRAINT uq_notifications_event DO NOTHING
       RETURNING ${COLUMNS}`,
      [tenantOf(tx), JSON.stringify(notifications.map((n) => ({ user_id: n.userId, event_id: n.eventId, actor: n.actor, excerpt: n.excerpt })))],
    );
    return rows.map(toNotification);
  }

  /** A page of a user's notifications, newest first, before `beforeId`. */
  async page(tenantId: string, userId: string, limit: number, beforeId?: string): Promise<StoredNotification[]> {
    const rows = await queryAsTenant<Row>(
      this.dataSource,
      tenantId,
      `SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 ${beforeId ? 'AND id < $4::bigint' : ''} ORDER BY id DESC LIMIT $3::int`,
      beforeId ? [tenantId, userId, limit, beforeId] : [tenantId, userId, limit],
    );
    return rows.map(toNotification);
  }

  async byId(tenantId: string, userId: string, id: string): Promise<StoredNotification | undefined> {
    const rows = await queryAsTenant<Row>(this.dataSource, tenantId, `SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND id = $3::bigint`, [
      tenantId,
      userId,
      id,
    ]);
    return rows[0] && toNotification(rows[0]);
  }

  /** Unseen and unread, each counted to at most `cap + 1`. */
  async counts(tenantId: string, userId: string, cap: number): Promise<{ unseen: number; unread: number }> {
    const rows = await queryAsTenant<{ unseen: number; unread: number }>(
      this.dataSource,
      tenantId,
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND seen_at IS NULL LIMIT $3::int) s) AS unseen,
              (SELECT count(*)::int FROM (SELECT 1 FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL LIMIT $3::int) r) AS unread`,
      [tenantId, userId, cap + 1],
    );
    return rows[0]!;
  }

  /** Marks seen (or read, which is also seen) what the selection names; answers how many changed, or null when the one named is not the user's. */
  async mark(tenantId: string, userId: string, state: 'seen' | 'read', selection: NotificationSelection): Promise<number | null> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const which = 'id' in selection ? 'AND id = $3::bigint' : 'upTo' in selection ? 'AND id <= $3::bigint' : '';
      const params = 'id' in selection ? [tenantId, userId, selection.id] : 'upTo' in selection ? [tenantId, userId, selection.upTo] : [tenantId, userId];
      if ('id' in selection) {
        const [own] = (await tx.query(`SELECT 1 FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND id = $3::bigint`, params)) as unknown[];
        if (!own) return null;
      }
      const set = state === 'read' ? 'read_at = coalesce(read_at, now()), seen_at = coalesce(seen_at, now())' : 'seen_at = coalesce(seen_at, now())';
      const pending = state === 'read' ? 'read_at IS NULL' : 'seen_at IS NULL';
      const rows = await tx.query(`UPDATE notifications SET ${set} WHERE tenant_id = $1 AND user_id = $2 ${which} AND ${pending} RETURNING 1`, params);
      return ((Array.isArray(rows[0]) ? rows[0] : rows) as unknown[]).length;
    });
  }
}
