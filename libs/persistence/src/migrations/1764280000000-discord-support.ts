import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Discord (issue: OAuth2 linking, Gateway presence, signed webhook events):
 * - an OAuth2 sign-in's PKCE verifier rides with its claim (the `state`), sealed like every
 *   secret, so only the callback that brings the state back can finish the exchange;
 * - `live_links_of`: which tenants have a live link for these identities of one provider. The
 *   Gateway bot sees users of every tenant at once; this is the one cross-tenant read it needs
 *   (SECURITY DEFINER, like the scheduler's claim), and it answers nothing but live links.
 * OAuth2 tokens are kept in account_links.credentials_ciphertext (sealed JSON), already there.
 */
export class DiscordSupport1764280000000 implements MigrationInterface {
  name = 'DiscordSupport1764280000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE account_link_claims ADD COLUMN verifier_ciphertext text`);
    // The live-link index leads with the tenant; presence arrives without one.
    await q.query(`CREATE INDEX ix_account_links_identity ON account_links (provider, external_id) WHERE status <> 'revoked'`);
    await q.query(`
      CREATE FUNCTION live_links_of(p_provider text, p_external_ids text[])
      RETURNS TABLE (tenant_id text, external_id text, user_id text, display_name text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT l.tenant_id, l.external_id, l.user_id, l.display_name
          FROM account_links l
         WHERE l.provider = p_provider AND l.external_id = ANY(p_external_ids) AND l.status <> 'revoked'
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION live_links_of(text, text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION live_links_of(text, text[]) TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS live_links_of(text, text[])`);
    await q.query(`DROP INDEX IF EXISTS ix_account_links_identity`);
    await q.query(`ALTER TABLE account_link_claims DROP COLUMN IF EXISTS verifier_ciphertext`);
  }
}
