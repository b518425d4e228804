import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row-level security for webhook sources and their secrets, like every other tenant table: a
 * transaction scoped to a tenant (`app.tenant_id`) sees and writes only that tenant's sources.
 * The two kinds of work that have no tenant yet or serve operators (resolving a delivery's source
 * from its URL, the operator CLI) say so with `app.cross_tenant = 'on'` for their transaction
 * (inCrossTenantTransaction); a query with neither sees nothing.
 */
export class WebhookSourceIsolation1764230000000 implements MigrationInterface {
  name = 'WebhookSourceIsolation1764230000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_sources', 'webhook_source_secrets']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('app.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
      );
      await q.query(
        `CREATE POLICY cross_tenant ON ${table}
           USING (current_setting('app.cross_tenant', true) = 'on')
           WITH CHECK (current_setting('app.cross_tenant', true) = 'on')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_sources', 'webhook_source_secrets']) {
      await q.query(`DROP POLICY IF EXISTS cross_tenant ON ${table}`);
      await q.query(`DROP POLICY IF EXISTS tenant_isolation ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
