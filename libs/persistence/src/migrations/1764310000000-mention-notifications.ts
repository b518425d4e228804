import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * @mention notifications. `user_handles`: each tenant's platform usernames (registered by the
 * platform's user service through the internal API), compared in lower case, which `@name`
 * resolves to. `notifications`: one per recipient and mentioning event (written with the event,
 * idempotent), newest first by id, with when it was seen and read; partial indexes keep the
 * unseen and unread counts cheap. Tenant-isolated like every table.
 */
export class MentionNotifications1764310000000 implements MigrationInterface {
  name = 'MentionNotifications1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_handles (
        tenant_id    text        NOT NULL,
        handle_key   text        NOT NULL,
        handle       text        NOT NULL,
        user_id      text        NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, handle_key)
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_user_handles_user ON user_handles (tenant_id, user_id)`);
    await q.query(`
      CREATE TABLE notifications (
        id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id    text        NOT NULL,
        user_id      text        NOT NULL,
        kind         text        NOT NULL CHECK (kind IN ('mention')),
        event_id     bigint      NOT NULL REFERENCES activity_events (id) ON DELETE CASCADE,
        actor        jsonb       NOT NULL,
        excerpt      text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        seen_at      timestamptz,
        read_at      timestamptz,
        CONSTRAINT uq_notifications_event UNIQUE (tenant_id, user_id, kind, event_id)
      )`);
    await q.query(`CREATE INDEX ix_notifications_user ON notifications (tenant_id, user_id, id DESC)`);
    await q.query(`CREATE INDEX ix_notifications_unseen ON notifications (tenant_id, user_id, id) WHERE seen_at IS NULL`);
    await q.query(`CREATE INDEX ix_notifications_unread ON notifications (tenant_id, user_id, id) WHERE read_at IS NULL`);
    await q.query(`CREATE INDEX ix_notifications_event ON notifications (event_id)`);
    for (const table of ['user_handles', 'notifications']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('app.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO activity_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS notifications`);
    await q.query(`DROP TABLE IF EXISTS user_handles`);
  }
}
