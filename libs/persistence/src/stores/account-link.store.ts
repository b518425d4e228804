import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource, EntityManager } from 'typeorm';
import { inTenantTransaction, queryAsTenant, type TenantTransaction, tenantOf } from '../tenant-transaction';

export type LinkStatus = 'active' | 'revoked' | 'private' | 'error';

export interface AccountLink {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly provider: string;
  readonly externalId: string;
  readonly displayName: string | null;
  readonly status: LinkStatus;
  readonly statusReason: string | null;
  readonly syncState: Record<string, unknown>;
  readonly lastSyncedAt: Date | null;
  readonly nextSyncAt: Date | null;
  readonly createdAt: Date;
}

interface LinkRow {
  id: string;
  tenant_id: string;
  user_id: string;
  provider: string;
  external_id: string;
  display_name: string | null;
  status: LinkStatus;
  status_reason: string | null;
  sync_state: Record<string, unknown>;
  last_synced_at: Date | null;
  next_sync_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, tenant_id, user_id, provider, external_id, display_name, status, status_reason, sync_state, last_synced_at, next_sync_at, created_at`;

function toLink(row: LinkRow): AccountLink {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    provider: row.provider,
    externalId: row.external_id,
    displayName: row.display_name,
    status: row.status,
    statusReason: row.status_reason,
    syncState: row.sync_state,
    lastSyncedAt: row.last_synced_at,
    nextSyncAt: row.next_sync_at,
    createdAt: row.created_at,
  };
}

/** How `findUserIds` keys its answer. */
export function identityKey(provider: string, externalId: string): string {
  return `${provider}\u0000${externalId}`;
}

/** Account links: which platform identity belongs to which user of a tenant. */
@Injectable()
export class AccountLinkStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The user a live link maps this external identity to, or null for an unlinked identity. */
  async findUserId(tx: TenantTransaction, provider: string, externalId: string): Promise<string | null> {
    const tenantId = tenantOf(tx);
    const rows: Array<{ user_id: string }> = await tx.query(
      `SELECT user_id FROM account_links
        WHERE tenant_id = $1 AND provider = $2 AND external_id = $3 AND status <> 'revoked'
        LIMIT 1`,
      [tenantId, provider, externalId],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * The users live links map these identities to, in one query, keyed by `provider + NUL +
   * externalId`; identities nobody linked are absent.
   */
  async findUserIds(tx: TenantTransaction, identities: ReadonlyArray<{ provider: string; externalId: string }>): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    if (identities.length === 0) return owners;
    const rows: Array<{ provider: string; external_id: string; user_id: string }> = await tx.query(
      `SELECT DISTINCT ON (l.provider, l.external_id) l.provider, l.external_id, l.user_id
         FROM account_links l
         JOIN unnest($2::text[], $3::text[]) AS wanted(provider, external_id)
           ON l.provider = wanted.provider AND l.external_id = wanted.external_id
        WHERE l.tenant_id = $1 AND l.status <> 'revoked'
        ORDER BY l.provider, l.external_id, l.created_at`,
      [tenantOf(tx), identities.map((identity) => identity.provider), identities.map((identity) => identity.externalId)],
    );
    for (const row of rows) owners.set(identityKey(row.provider, row.external_id), row.user_id);
    return owners;
  }

  /** Links an identity to a user unless a live link for it exists already. Idempotent; returns the link id. */
  async ensureLink(link: { tenantId: string; userId: string; provider: string; externalId: string; displayName?: string }): Promise<string> {
    return inTenantTransaction(this.dataSource, link.tenantId, async (manager) => {
      const created = await this.insert(manager, link);
      if (created) return created.id;
      const existing: Array<{ id: string }> = await manager.query(
        `SELECT id FROM account_links WHERE tenant_id = $1 AND provider = $2 AND external_id = $3 AND status <> 'revoked'`,
        [link.tenantId, link.provider, link.externalId],
      );
      return existing[0]!.id;
    });
  }

  /**
   * Inserts a live link in the caller's transaction; null when the identity is already linked in
   * this tenant. `firstScheduledSyncAfterSeconds`: when the link's initial sync comes from its
   * account.linked event, the scheduler should not also pick it up at once; it only steps in if
   * that sync never happened. Omitted: due now.
   */
  async insert(
    manager: TenantTransaction,
    link: { tenantId: string; userId: string; provider: string; externalId: string; displayName?: string },
    firstScheduledSyncAfterSeconds?: number,
  ): Promise<AccountLink | null> {
    const rows: LinkRow[] = await manager.query(
      `INSERT INTO account_links (tenant_id, user_id, provider, external_id, display_name, next_sync_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(secs => $6::int) END)
       ON CONFLICT (tenant_id, provider, external_id) WHERE status <> 'revoked' DO NOTHING
       RETURNING ${COLUMNS}`,
      [link.tenantId, link.userId, link.provider, link.externalId, link.displayName ?? null, firstScheduledSyncAfterSeconds ?? null],
    );
    return rows[0] ? toLink(rows[0]) : null;
  }

  async listForUser(tenantId: string, userId: string): Promise<AccountLink[]> {
    const rows = await queryAsTenant<LinkRow>(
      this.dataSource,
      tenantId,
      `SELECT ${COLUMNS} FROM account_links WHERE tenant_id = $1 AND user_id = $2 AND status <> 'revoked' ORDER BY created_at`,
      [tenantId, userId],
    );
    return rows.map(toLink);
  }

  /** A link by id within a tenant (any status), optionally locked for update in the caller's transaction. */
  async get(tx: TenantTransaction, id: string, options: { lock?: boolean } = {}): Promise<AccountLink | null> {
    const tenantId = tenantOf(tx);
    const rows: LinkRow[] = await tx.query(`SELECT ${COLUMNS} FROM account_links WHERE tenant_id = $1 AND id = $2 ${options.lock ? 'FOR UPDATE' : ''}`, [tenantId, id]);
    return rows[0] ? toLink(rows[0]) : null;
  }

  /** Revokes a link and forgets its credentials (OAuth2 tokens). */
  async revoke(tx: TenantTransaction, id: string, reason = 'revoked by the user'): Promise<void> {
    const tenantId = tenantOf(tx);
    await tx.query(
      `UPDATE account_links
          SET status = 'revoked', status_reason = $3, next_sync_at = NULL, credentials_ciphertext = NULL, credentials_key_id = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, reason],
    );
  }

  /** The live link of an identity in the caller's tenant, or null. */
  async findLive(tx: TenantTransaction, provider: string, externalId: string): Promise<AccountLink | null> {
    const rows: LinkRow[] = await tx.query(`SELECT ${COLUMNS} FROM account_links WHERE tenant_id = $1 AND provider = $2 AND external_id = $3 AND status <> 'revoked'`, [
      tenantOf(tx),
      provider,
      externalId,
    ]);
    return rows[0] ? toLink(rows[0]) : null;
  }

  /** Stores a link's sealed credentials (OAuth2 tokens as sealed JSON; see SecretCipher). */
  async saveCredentials(tx: TenantTransaction, id: string, sealed: string, keyId: string): Promise<void> {
    await tx.query(`UPDATE account_links SET credentials_ciphertext = $3, credentials_key_id = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [
      tenantOf(tx),
      id,
      sealed,
      keyId,
    ]);
  }

  /** A link's sealed credentials, locked for update when a refresh will replace them. */
  async credentialsOf(tx: TenantTransaction, id: string, options: { lock?: boolean } = {}): Promise<string | null> {
    const rows: Array<{ credentials_ciphertext: string | null }> = await tx.query(
      `SELECT credentials_ciphertext FROM account_links WHERE tenant_id = $1 AND id = $2 AND status <> 'revoked' ${options.lock ? 'FOR UPDATE' : ''}`,
      [tenantOf(tx), id],
    );
    return rows[0]?.credentials_ciphertext ?? null;
  }

  /**
   * Every tenant's live links of these identities of one provider (a Gateway bot sees users of
   * all tenants at once); through the SECURITY DEFINER function `live_links_of`, never RLS-free.
   */
  async liveLinksOf(provider: string, externalIds: readonly string[]): Promise<Array<{ tenantId: string; externalId: string; userId: string; displayName: string | null }>> {
    if (!externalIds.length) return [];
    const rows: Array<{ tenant_id: string; external_id: string; user_id: string; display_name: string | null }> = await this.dataSource.query(
      `SELECT tenant_id, external_id, user_id, display_name FROM live_links_of($1, $2::text[])`,
      [provider, [...new Set(externalIds)]],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, externalId: row.external_id, userId: row.user_id, displayName: row.display_name }));
  }

  async recordSync(tx: TenantTransaction, id: string, update: { state: Record<string, unknown>; status: LinkStatus; reason: string | null }): Promise<void> {
    const tenantId = tenantOf(tx);
    await tx.query(
      `UPDATE account_links SET sync_state = $3::jsonb, status = $4, status_reason = $5, last_synced_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, JSON.stringify(update.state), update.status, update.reason],
    );
  }

  async recordFailure(tx: TenantTransaction, id: string, reason: string): Promise<void> {
    const tenantId = tenantOf(tx);
    await tx.query(`UPDATE account_links SET status_reason = left($3, 500), updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status <> 'revoked'`, [tenantId, id, reason]);
  }

  /**
   * For the scheduler: marks up to `limit` due links of the given providers as scheduled
   * (next_sync_at = now() + interval) and returns them. Crosses tenants through a SECURITY DEFINER
   * function, the one place the application role may.
   */
  async claimDue(manager: EntityManager, limit: number, intervalSeconds: number, providers: readonly string[]): Promise<Array<{ id: string; tenantId: string }>> {
    const rows: Array<{ id: string; tenant_id: string }> = await manager.query(`SELECT id, tenant_id FROM claim_due_account_links($1, make_interval(secs => $2), $3::text[])`, [
      limit,
      intervalSeconds,
      providers,
    ]);
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }
}
