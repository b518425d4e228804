import type { DataSource, EntityManager } from 'typeorm';
import { inTenantTransaction } from '../tenant-transaction';

/** Account links: which platform identity belongs to which user of a tenant. */
export class AccountLinkStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The user a live link maps this external identity to, or null for an unlinked identity. */
  async findUserId(manager: EntityManager, tenantId: string, provider: string, externalId: string): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await manager.query(
      `SELECT user_id FROM account_links
        WHERE tenant_id = $1 AND provider = $2 AND external_id = $3 AND status <> 'revoked'
        LIMIT 1`,
      [tenantId, provider, externalId],
    );
    return rows[0]?.user_id ?? null;
  }

  /** Links an identity to a user unless a live link for it exists already. Idempotent; returns the link id. */
  async ensureLink(link: { tenantId: string; userId: string; provider: string; externalId: string; displayName?: string }): Promise<string> {
    return inTenantTransaction(this.dataSource, link.tenantId, async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO account_links (tenant_id, user_id, provider, external_id, display_name)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, provider, external_id) WHERE status <> 'revoked' DO NOTHING
         RETURNING id`,
        [link.tenantId, link.userId, link.provider, link.externalId, link.displayName ?? null],
      );
      if (inserted[0]) return inserted[0].id;
      const existing: Array<{ id: string }> = await manager.query(
        `SELECT id FROM account_links WHERE tenant_id = $1 AND provider = $2 AND external_id = $3 AND status <> 'revoked'`,
        [link.tenantId, link.provider, link.externalId],
      );
      return existing[0]!.id;
    });
  }
}
