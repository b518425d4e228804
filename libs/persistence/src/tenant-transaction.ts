import { escapeLiteral, type Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

const TENANT: unique symbol = Symbol('activity.tenant');

/**
 * An EntityManager inside a transaction whose `app.tenant_id` is set. Only `inTenantTransaction`
 * makes one, so a store method that takes it cannot be called outside a tenant scope: that is a
 * compile error, not a query that row-level security silently answers with nothing.
 */
export type TenantTransaction = EntityManager & { readonly [TENANT]: string };

/** The tenant a transaction is scoped to. */
export function tenantOf(tx: TenantTransaction): string {
  return tx[TENANT];
}

/**
 * Runs `work` in one transaction with `app.tenant_id` set, which the row-level security
 * policies read. Every per-tenant read and write goes through here, so a query that forgets its
 * `tenant_id` predicate still sees only this tenant's rows.
 */
export async function inTenantTransaction<T>(dataSource: DataSource, tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
  if (!tenantId) throw new Error('inTenantTransaction needs a tenant id');
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    Object.defineProperty(manager, TENANT, { value: tenantId, enumerable: false });
    return work(manager as TenantTransaction);
  });
}

/**
 * A transaction that sees every tenant's rows of the tables whose policies allow it
 * (`app.cross_tenant`, webhook sources today). Only for work that has no tenant yet or serves
 * operators: resolving a delivery's source from its URL, the operator CLI. Anything a tenant's
 * request does stays in inTenantTransaction.
 */
export async function inCrossTenantTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
    return work(manager);
  });
}

type SqlValue = string | number | bigint | boolean | Date | null | readonly string[];

function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return value.length ? `ARRAY[${value.map((item) => escapeLiteral(String(item))).join(', ')}]` : `'{}'`;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in SQL');
    return `'${value.toString()}'`;
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return escapeLiteral(String(value));
}

/**
 * A tenant-scoped read in ONE round trip. `SELECT set_config(..., true); <query>` sent as a
 * single simple-protocol message runs as one implicit transaction, so the setting applies to the
 * query and ends with it (nothing leaks to the next user of the pooled connection, and an error
 * rolls back by itself). Values are inlined as escaped literals (pg's escapeLiteral); `$n`
 * placeholders must carry their own casts. The hot read paths use this: it is 1 round trip
 * instead of BEGIN / set_config / query / COMMIT.
 */
export async function queryAsTenant<Row>(dataSource: DataSource, tenantId: string, sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
  if (!tenantId) throw new Error('queryAsTenant needs a tenant id');
  const inlined = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    const position = Number(index) - 1;
    if (position < 0 || position >= params.length) throw new Error(`SQL placeholder $${index} has no value`);
    return literal(params[position]!);
  });
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const results = (await pool.query(`SELECT set_config('app.tenant_id', ${literal(tenantId)}, true); ${inlined}`)) as unknown as Array<{ rows: Row[] }>;
  return results[1]!.rows;
}
