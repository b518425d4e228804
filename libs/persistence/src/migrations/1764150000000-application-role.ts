import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The services connect as `activity_app`: no superuser, no BYPASSRLS, so the row-level security
 * policies of the first migration actually apply. Migrations keep running as the owner.
 * The role is created without a password; production sets one (or uses IAM auth) out of band.
 * Also adds the index unread counts use (events after the read marker, by arrival id).
 */
export class ApplicationRole1764150000000 implements MigrationInterface {
  name = 'ApplicationRole1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'activity_app') THEN
          CREATE ROLE activity_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO activity_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO activity_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO activity_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO activity_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO activity_app`);
    await q.query(`REVOKE ALL ON schema_migrations FROM activity_app`);
    await q.query(`CREATE INDEX ix_activity_events_user_arrival ON activity_events (tenant_id, user_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_activity_events_user_arrival`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM activity_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM activity_app`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM activity_app`);
  }
}
