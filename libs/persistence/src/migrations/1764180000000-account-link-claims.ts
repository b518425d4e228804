import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Proof of ownership before a link exists. A player who asks to link an identity gets a claim:
 * a short-lived secret (an in-game code for Minecraft, the OpenID `state` for Steam), stored
 * only as its SHA-256. The link is created when the platform itself shows the secret back
 * (the server's signed webhook, Steam's signed OpenID answer). Claims do not occupy the unique
 * "live link" slot, so a stranger's claim can never block the real owner.
 */
export class AccountLinkClaims1764180000000 implements MigrationInterface {
  name = 'AccountLinkClaims1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_link_claims (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id    text        NOT NULL,
        user_id      text        NOT NULL,
        provider     text        NOT NULL,
        external_id  text,
        secret_hash  text        NOT NULL,
        expires_at   timestamptz NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_account_link_claims_secret ON account_link_claims (tenant_id, provider, secret_hash)`);
    await q.query(`CREATE INDEX ix_account_link_claims_user ON account_link_claims (tenant_id, user_id, created_at)`);
    await q.query(`ALTER TABLE account_link_claims ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE account_link_claims FORCE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY tenant_isolation ON account_link_claims
         USING (tenant_id = current_setting('app.tenant_id', true))
         WITH CHECK (tenant_id = current_setting('app.tenant_id', true))`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON account_link_claims TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS account_link_claims`);
  }
}
