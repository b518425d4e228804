import { tenantOf, type TenantTransaction } from '../tenant-transaction';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';

export interface AccountLinkClaim {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly provider: string;
  readonly externalId: string | null;
  readonly expiresAt: Date;
  /** An OAuth2 sign-in's PKCE verifier, sealed (see SecretCipher). */
  readonly verifierCiphertext: string | null;
}

interface ClaimRow {
  id: string;
  tenant_id: string;
  user_id: string;
  provider: string;
  external_id: string | null;
  expires_at: Date;
  verifier_ciphertext: string | null;
}

function toClaim(row: ClaimRow): AccountLinkClaim {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    provider: row.provider,
    externalId: row.external_id,
    expiresAt: row.expires_at,
    verifierCiphertext: row.verifier_ciphertext,
  };
}

/** Secrets are kept only as hashes: a database reader cannot complete someone's claim. */
export function claimSecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Pending proofs of account ownership (see the account_link_claims migration). Runs in the caller's tenant transaction. */
@Injectable()
export class AccountLinkClaimStore {
  /** Records a claim; the user's expired claims, and older ones for the same identity, are removed. */
  async create(
    manager: TenantTransaction,
    claim: { tenantId: string; userId: string; provider: string; externalId: string | null; secret: string; ttlSeconds: number; verifierCiphertext?: string },
  ): Promise<AccountLinkClaim> {
    await manager.query(
      `DELETE FROM account_link_claims
        WHERE tenant_id = $1 AND user_id = $2 AND (expires_at <= now() OR (provider = $3 AND external_id = $4))`,
      [claim.tenantId, claim.userId, claim.provider, claim.externalId],
    );
    const rows: ClaimRow[] = await manager.query(
      `INSERT INTO account_link_claims (tenant_id, user_id, provider, external_id, secret_hash, expires_at, verifier_ciphertext)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::int), $7)
       RETURNING id, tenant_id, user_id, provider, external_id, expires_at, verifier_ciphertext`,
      [claim.tenantId, claim.userId, claim.provider, claim.externalId, claimSecretHash(claim.secret), claim.ttlSeconds, claim.verifierCiphertext ?? null],
    );
    return toClaim(rows[0]!);
  }

  /**
   * Consumes the live claim this secret proves (once: it is deleted), or null. With
   * `externalId`, the claim must be for that identity (a code only works for the player it was made for).
   */
  async take(tx: TenantTransaction, provider: string, secret: string, externalId?: string): Promise<AccountLinkClaim | null> {
    const tenantId = tenantOf(tx);
    // DELETE wrapped in a CTE: TypeORM returns [rows, count] for a bare DELETE ... RETURNING.
    const rows: ClaimRow[] = await tx.query(
      `WITH taken AS (
         DELETE FROM account_link_claims
          WHERE tenant_id = $1 AND provider = $2 AND secret_hash = $3 AND expires_at > now()
            AND ($4::text IS NULL OR external_id = $4)
          RETURNING id, tenant_id, user_id, provider, external_id, expires_at, verifier_ciphertext)
       SELECT * FROM taken`,
      [tenantId, provider, claimSecretHash(secret), externalId ?? null],
    );
    return rows[0] ? toClaim(rows[0]) : null;
  }

  /** How many claims a user started recently (a brake on guessing and on upstream lookups). */
  async countRecent(tx: TenantTransaction, userId: string, withinSeconds: number): Promise<number> {
    const tenantId = tenantOf(tx);
    const rows: Array<{ count: number }> = await tx.query(
      `SELECT count(*)::int AS count FROM account_link_claims WHERE tenant_id = $1 AND user_id = $2 AND created_at > now() - make_interval(secs => $3::int)`,
      [tenantId, userId, withinSeconds],
    );
    return rows[0]?.count ?? 0;
  }
}
