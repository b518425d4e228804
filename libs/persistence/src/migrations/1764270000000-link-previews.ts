import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The previews of the links in an event's text, attached by connector-workers once fetched (null until then). */
export class LinkPreviews1764270000000 implements MigrationInterface {
  name = 'LinkPreviews1764270000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE activity_events ADD COLUMN link_previews jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE activity_events DROP COLUMN IF EXISTS link_previews`);
  }
}
