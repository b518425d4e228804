import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource } from 'typeorm';
import { inTenantTransaction, queryAsTenant } from '../tenant-transaction';

/**
 * Read position per user, by arrival id: an event is unread when its id is greater than the
 * marker. Arrival order (not occurred_at) is what a badge means: an achievement unlocked last
 * week but synced now is news.
 */
@Injectable()
export class FeedReadMarkerStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Moves the marker forward to `eventId` (never backwards); returns the marker now stored. */
  async advance(tenantId: string, userId: string, eventId: string): Promise<string> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const rows: Array<{ last_read_event_id: string }> = await manager.query(
        `INSERT INTO feed_read_markers (tenant_id, user_id, last_read_event_id, last_read_occurred_at)
         VALUES ($1, $2, $3::bigint, now())
         ON CONFLICT (tenant_id, user_id) DO UPDATE
           SET last_read_event_id = GREATEST(feed_read_markers.last_read_event_id, EXCLUDED.last_read_event_id),
               last_read_occurred_at = now(), updated_at = now()
         RETURNING last_read_event_id::text`,
        [tenantId, userId, eventId],
      );
      return rows[0]!.last_read_event_id;
    });
  }

  /**
   * Unread events, counting at most `cap + 1` rows so a huge backlog costs the same as a small
   * one (the caller shows "1000+"). The count and the marker are read in one statement.
   */
  async countUnread(tenantId: string, userId: string, cap: number): Promise<number> {
    const rows = await queryAsTenant<{ count: number }>(
      this.dataSource,
      tenantId,
      `SELECT count(*)::int AS count FROM (
         SELECT 1 FROM activity_events e
          WHERE e.tenant_id = $1 AND e.user_id = $2
            AND e.id > COALESCE((SELECT m.last_read_event_id FROM feed_read_markers m WHERE m.tenant_id = $1 AND m.user_id = $2), 0)
          LIMIT $3::int) unread`,
      [tenantId, userId, cap + 1],
    );
    return rows[0]!.count;
  }
}
