import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ingest-gateway keeps webhook sources and their secrets in memory (a lookup per delivery was a
 * query per webhook). Any change to a source or its secrets, by the CLI, the API or by hand,
 * NOTIFYs `webhook_source_changed` with "connector/source_id" once it commits, and every gateway
 * drops that entry.
 */
export class WebhookSourceNotify1764210000000 implements MigrationInterface {
  name = 'WebhookSourceNotify1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION webhook_source_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed record := COALESCE(NEW, OLD);
      BEGIN
        IF TG_TABLE_NAME = 'webhook_sources' THEN
          PERFORM pg_notify('webhook_source_changed', changed.connector || '/' || changed.id);
        ELSE
          PERFORM pg_notify('webhook_source_changed', changed.connector || '/' || changed.source_id);
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['webhook_sources', 'webhook_source_secrets']) {
      await q.query(`CREATE TRIGGER webhook_source_notify AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION webhook_source_notify()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_sources', 'webhook_source_secrets']) await q.query(`DROP TRIGGER IF EXISTS webhook_source_notify ON ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS webhook_source_notify()`);
  }
}
