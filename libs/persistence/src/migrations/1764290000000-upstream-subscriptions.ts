import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Push subscriptions we hold at platforms for account links (Twitch EventSub, YouTube WebSub
 * leases): one row per link and kind, with the platform's id (a WebSub topic), its status, when
 * its lease ends and why it stopped. connector-workers reconcile them on each periodic run of the
 * link; the webhook gateway reads them to confirm only the WebSub topics we asked for; a
 * revocation from the platform marks its row. Tenant-isolated like every table.
 */
export class UpstreamSubscriptions1764290000000 implements MigrationInterface {
  name = 'UpstreamSubscriptions1764290000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upstream_subscriptions (
        account_link_id uuid        NOT NULL REFERENCES account_links (id) ON DELETE CASCADE,
        kind            text        NOT NULL,
        tenant_id       text        NOT NULL,
        connector       text        NOT NULL,
        source_id       text        NOT NULL,
        upstream_id     text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('pending', 'enabled', 'revoked', 'failed', 'removing')),
        expires_at      timestamptz,
        reason          text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_link_id, kind)
      )`);
    await q.query(`CREATE INDEX ix_upstream_subscriptions_upstream ON upstream_subscriptions (tenant_id, connector, upstream_id)`);
    await q.query(`ALTER TABLE upstream_subscriptions ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE upstream_subscriptions FORCE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON upstream_subscriptions
         USING (tenant_id = current_setting('app.tenant_id', true))
         WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON upstream_subscriptions TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS upstream_subscriptions`);
  }
}
