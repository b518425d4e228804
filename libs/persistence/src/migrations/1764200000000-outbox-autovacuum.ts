import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox is a queue: every row is inserted, claimed and marked sent within milliseconds, and
 * each mark leaves a dead entry in the partial indexes on pending rows until VACUUM removes it. The
 * relay's claim walks those entries: measured at 0.7 ms on a vacuumed table and 38 ms with 21,000
 * dead entries (EXPLAIN ANALYZE, docs/performance.md). PostgreSQL's defaults wait for 20 % of the
 * table to be dead; this vacuums the outbox after every few thousand changes, without throttling.
 */
export class OutboxAutovacuum1764200000000 implements MigrationInterface {
  name = 'OutboxAutovacuum1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox SET (
        autovacuum_vacuum_scale_factor = 0,
        autovacuum_vacuum_threshold = 2000,
        autovacuum_vacuum_insert_scale_factor = 0,
        autovacuum_vacuum_insert_threshold = 5000,
        autovacuum_analyze_scale_factor = 0,
        autovacuum_analyze_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox RESET (
        autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor,
        autovacuum_vacuum_insert_threshold, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_delay)`);
  }
}
