import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema. Written in SQL, never through entities, so that it keeps working when the
 * entities change later. Row-level security is enabled on every per-user table with a policy on
 * `app.tenant_id`; services set it per transaction (see TenantTransaction).
 */
export class InitialSchema1764140000000 implements MigrationInterface {
  name = 'InitialSchema1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_sources (
        connector   text        NOT NULL,
        id          text        NOT NULL,
        tenant_id   text        NOT NULL,
        name        text        NOT NULL,
        status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connector, id)
      )`);
    await q.query(`CREATE INDEX ix_webhook_sources_tenant ON webhook_sources (tenant_id)`);
    await q.query(`
      CREATE TABLE webhook_source_secrets (
        id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        connector   text        NOT NULL,
        source_id   text        NOT NULL,
        tenant_id   text        NOT NULL,
        ciphertext  text        NOT NULL,
        key_id      text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz,
        FOREIGN KEY (connector, source_id) REFERENCES webhook_sources (connector, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_webhook_source_secrets_source ON webhook_source_secrets (connector, source_id)`);

    await q.query(`
      CREATE TABLE activity_events (
        id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id        text        NOT NULL,
        user_id          text,
        source           text        NOT NULL,
        source_event_id  text        NOT NULL,
        type             text        NOT NULL,
        actor            jsonb       NOT NULL,
        object           jsonb,
        target           jsonb,
        occurred_at      timestamptz NOT NULL,
        received_at      timestamptz NOT NULL DEFAULT now(),
        payload          jsonb       NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT uq_activity_events_source_event UNIQUE (tenant_id, source, source_event_id)
      )`);
    // The feed reads: per user, per user and type, per tenant; all newest first with id as tie-breaker.
    await q.query(`CREATE INDEX ix_activity_events_user_feed ON activity_events (tenant_id, user_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_activity_events_user_type_feed ON activity_events (tenant_id, user_id, type, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_activity_events_tenant_feed ON activity_events (tenant_id, occurred_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE account_links (
        id                      uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id               text        NOT NULL,
        user_id                 text        NOT NULL,
        provider                text        NOT NULL,
        external_id             text        NOT NULL,
        display_name            text,
        status                  text        NOT NULL DEFAULT 'active'
                                            CHECK (status IN ('active', 'revoked', 'private', 'error')),
        status_reason           text,
        credentials_ciphertext  text,
        credentials_key_id      text,
        sync_state              jsonb       NOT NULL DEFAULT '{}'::jsonb,
        last_synced_at          timestamptz,
        next_sync_at            timestamptz,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_account_links_live ON account_links (tenant_id, provider, external_id) WHERE status <> 'revoked'`);
    await q.query(`CREATE INDEX ix_account_links_user ON account_links (tenant_id, user_id)`);

    await q.query(`
      CREATE TABLE feed_read_markers (
        tenant_id            text        NOT NULL,
        user_id              text        NOT NULL,
        last_read_event_id   bigint      NOT NULL,
        last_read_occurred_at timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id)
      )`);

    await q.query(`
      CREATE TABLE sync_runs (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id        text        NOT NULL,
        account_link_id  uuid        NOT NULL REFERENCES account_links (id),
        connector        text        NOT NULL,
        trigger          text        NOT NULL,
        status           text        NOT NULL DEFAULT 'running'
                                     CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
        events_created   integer     NOT NULL DEFAULT 0,
        api_calls        integer     NOT NULL DEFAULT 0,
        error            text,
        started_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz
      )`);
    await q.query(`CREATE INDEX ix_sync_runs_link ON sync_runs (tenant_id, account_link_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE outbox (
        id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id        text        NOT NULL,
        topic            text        NOT NULL,
        message_key      text        NOT NULL,
        headers          jsonb       NOT NULL,
        payload          jsonb       NOT NULL,
        status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
        attempts         integer     NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz
      )`);
    await q.query(`CREATE INDEX ix_outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_outbox_sent ON outbox (sent_at) WHERE status = 'sent'`);
    // Lets the relay hold back a row while an older row with the same key is still pending (per-key order).
    await q.query(`CREATE INDEX ix_outbox_pending_key ON outbox (topic, message_key, id) WHERE status = 'pending'`);
    // Wakes the relay as soon as a row commits; polling remains the fallback.
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_pending', '');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);

    for (const table of ['activity_events', 'account_links', 'feed_read_markers', 'sync_runs']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('app.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outbox, sync_runs, feed_read_markers, account_links, activity_events, webhook_source_secrets, webhook_sources CASCADE`);
    await q.query(`DROP FUNCTION IF EXISTS outbox_notify()`);
  }
}
