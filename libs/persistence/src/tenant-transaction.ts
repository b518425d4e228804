import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one transaction with `app.tenant_id` set, which the row-level security
 * policies read. Every per-tenant read and write goes through here, so a query that forgets its
 * `tenant_id` predicate still sees only this tenant's rows.
 */
export async function inTenantTransaction<T>(dataSource: DataSource, tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (!tenantId) throw new Error('inTenantTransaction needs a tenant id');
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return work(manager);
  });
}
