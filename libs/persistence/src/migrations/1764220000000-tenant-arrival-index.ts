import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant-wide stream (`/v2/feed/stream?scope=tenant`, long-poll) asks for the tenant's events
 * after an id. Without this index PostgreSQL answered from `ix_activity_events_user_arrival`,
 * skipping through every user's range: 110 buffers and 2 ms for 20 new rows in the pipeline bench,
 * the most expensive statement of a run. Built CONCURRENTLY, outside a transaction, so writes go on.
 */
export class TenantArrivalIndex1764220000000 implements MigrationInterface {
  name = 'TenantArrivalIndex1764220000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_activity_events_tenant_arrival ON activity_events (tenant_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ix_activity_events_tenant_arrival`);
  }
}
