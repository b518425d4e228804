import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Aggregated feeds. Each event of a user's feed is given a group key when it is written (its
 * type, the fields its grouping rule names, and its time window): `feed_groups` holds one row per
 * user and key with the group's count, first and last time, newest arrival, distinct actors and
 * its own read/seen positions, kept in the same transaction as the events. Aggregated pages read
 * these rows (newest first) and their members through the group index, never a user's whole
 * history. `feed_grouping_rules` holds tenants' overrides of the connectors' default rules.
 * `feed_read_markers.last_seen_event_id` is the "seen everything up to here" position.
 */
export class FeedAggregation1764300000000 implements MigrationInterface {
  name = 'FeedAggregation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE activity_events ADD COLUMN group_key text`);
    await q.query(`CREATE INDEX ix_activity_events_group ON activity_events (tenant_id, user_id, group_key, occurred_at DESC, id DESC) WHERE group_key IS NOT NULL`);
    await q.query(`
      CREATE TABLE feed_groups (
        tenant_id      text        NOT NULL,
        user_id        text        NOT NULL,
        group_key      text        NOT NULL,
        type           text        NOT NULL,
        event_count    integer     NOT NULL CHECK (event_count >= 0),
        first_at       timestamptz NOT NULL,
        last_at        timestamptz NOT NULL,
        last_event_id  bigint      NOT NULL,
        actors         text[]      NOT NULL DEFAULT '{}',
        read_event_id  bigint      NOT NULL DEFAULT 0,
        seen_event_id  bigint      NOT NULL DEFAULT 0,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id, group_key)
      )`);
    await q.query(`CREATE INDEX ix_feed_groups_recent ON feed_groups (tenant_id, user_id, last_at DESC, group_key DESC)`);
    await q.query(`CREATE INDEX ix_feed_groups_arrival ON feed_groups (tenant_id, user_id, last_event_id)`);
    await q.query(`
      CREATE TABLE feed_grouping_rules (
        tenant_id      text        NOT NULL,
        type           text        NOT NULL,
        fields         text[]      NOT NULL,
        window_seconds integer     NOT NULL CHECK (window_seconds BETWEEN 60 AND 2592000),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, type)
      )`);
    await q.query(`ALTER TABLE feed_read_markers ADD COLUMN last_seen_event_id bigint NOT NULL DEFAULT 0`);
    // Events already stored join groups by the rules in force (actor and target per UTC day; the
    // game, their object, for the types that have no target): the same key groupKeyOf computes
    // (values joined by a newline, the first 16 hex of their SHA-256).
    await q.query(`
      UPDATE activity_events
         SET group_key = type || '~' || floor(extract(epoch FROM occurred_at) / 86400)::bigint || '~'
                      || substr(encode(sha256(convert_to(coalesce(actor->>'id', '') || E'\n'
                                              || coalesce(CASE WHEN type IN ('steam.game.played', 'discord.game.started', 'discord.game.ended') THEN object->>'id' ELSE target->>'id' END, ''), 'UTF8')), 'hex'), 1, 16)
       WHERE user_id IS NOT NULL`);
    await q.query(`
      INSERT INTO feed_groups (tenant_id, user_id, group_key, type, event_count, first_at, last_at, last_event_id, actors)
      SELECT tenant_id, user_id, group_key, min(type), count(*), min(occurred_at), max(occurred_at), max(id),
             (array_agg(DISTINCT actor->>'id'))[1:20]
        FROM activity_events WHERE group_key IS NOT NULL
       GROUP BY tenant_id, user_id, group_key`);
    for (const table of ['feed_groups', 'feed_grouping_rules']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('app.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO activity_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS feed_grouping_rules`);
    await q.query(`DROP TABLE IF EXISTS feed_groups`);
    await q.query(`ALTER TABLE feed_read_markers DROP COLUMN IF EXISTS last_seen_event_id`);
    await q.query(`DROP INDEX IF EXISTS ix_activity_events_group`);
    await q.query(`ALTER TABLE activity_events DROP COLUMN IF EXISTS group_key`);
  }
}
