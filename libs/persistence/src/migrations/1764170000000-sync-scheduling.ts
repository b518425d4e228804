import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync runs and scheduling. At most one running sync per account link (a unique partial index,
 * the last line of defence behind Kafka's partition ownership). The scheduler must see links of
 * every tenant; instead of giving the application role BYPASSRLS, one SECURITY DEFINER function
 * claims due links (and only returns their ids and tenants).
 */
export class SyncScheduling1764170000000 implements MigrationInterface {
  name = 'SyncScheduling1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX uq_sync_runs_running ON sync_runs (account_link_id) WHERE status = 'running'`);
    await q.query(`CREATE INDEX ix_account_links_due ON account_links (next_sync_at NULLS FIRST) WHERE status <> 'revoked'`);
    await q.query(`
      CREATE FUNCTION claim_due_account_links(p_limit int, p_interval interval, p_providers text[])
      RETURNS TABLE (id uuid, tenant_id text)
      LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
        UPDATE account_links l SET next_sync_at = now() + p_interval
         WHERE l.id IN (SELECT d.id FROM account_links d
                         WHERE d.status <> 'revoked' AND d.provider = ANY(p_providers)
                           AND (d.next_sync_at IS NULL OR d.next_sync_at <= now())
                         ORDER BY d.next_sync_at NULLS FIRST
                         LIMIT p_limit
                         FOR UPDATE SKIP LOCKED)
        RETURNING l.id, l.tenant_id
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION claim_due_account_links(int, interval, text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION claim_due_account_links(int, interval, text[]) TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS claim_due_account_links(int, interval, text[])`);
    await q.query(`DROP INDEX IF EXISTS ix_account_links_due`);
    await q.query(`DROP INDEX IF EXISTS uq_sync_runs_running`);
  }
}
