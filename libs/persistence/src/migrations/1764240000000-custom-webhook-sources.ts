import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom webhook sources keep their signature scheme and mapping rules in
 * `webhook_sources.settings`. Deliveries their rules map to nothing are counted here, with the
 * shapes (keys and value types, no values) of the last few, for the source's admin: a table of
 * its own, so counting does not touch `webhook_sources` (whose changes the gateways are notified of).
 */
export class CustomWebhookSources1764240000000 implements MigrationInterface {
  name = 'CustomWebhookSources1764240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_source_unmatched (
        connector     text        NOT NULL,
        source_id     text        NOT NULL,
        tenant_id     text        NOT NULL,
        deliveries    bigint      NOT NULL DEFAULT 0,
        samples       jsonb       NOT NULL DEFAULT '[]'::jsonb,
        last_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connector, source_id),
        FOREIGN KEY (connector, source_id) REFERENCES webhook_sources (connector, id) ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE webhook_source_unmatched ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE webhook_source_unmatched FORCE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON webhook_source_unmatched
         USING (tenant_id = current_setting('app.tenant_id', true))
         WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_source_unmatched TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_source_unmatched`);
  }
}
