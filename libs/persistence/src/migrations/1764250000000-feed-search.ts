import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over the feed. `search_text` is written with each event (its summaries in
 * every language, the names of actor, object and target, the payload's free text; see
 * searchDocument), and PostgreSQL keeps `search_vector` from it: the `russian` configuration stems
 * Cyrillic words as Russian and Latin words as English, so one vector serves queries in both. One
 * GIN index covers tenant, user and text together (btree_gin), so a user's search intersects
 * posting lists instead of filtering a whole tenant's matches. Events stored before this
 * migration have no search text until `npm run -s search:backfill` writes it.
 */
export class FeedSearch1764250000000 implements MigrationInterface {
  name = 'FeedSearch1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`ALTER TABLE activity_events ADD COLUMN search_text text`);
    await q.query(`ALTER TABLE activity_events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, coalesce(search_text, ''))) STORED`);
    await q.query(`CREATE INDEX ix_activity_events_search ON activity_events USING gin (tenant_id, user_id, search_vector)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_activity_events_search`);
    await q.query(`ALTER TABLE activity_events DROP COLUMN IF EXISTS search_vector`);
    await q.query(`ALTER TABLE activity_events DROP COLUMN IF EXISTS search_text`);
  }
}
