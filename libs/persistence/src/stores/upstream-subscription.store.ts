import { Injectable } from '@nestjs/common';
import { tenantOf, type TenantTransaction } from '../tenant-transaction';

export type UpstreamSubscriptionStatus = 'pending' | 'enabled' | 'revoked' | 'failed' | 'removing';

export interface StoredSubscription {
  readonly accountLinkId: string;
  readonly kind: string;
  readonly connector: string;
  readonly sourceId: string;
  readonly upstreamId: string;
  readonly status: UpstreamSubscriptionStatus;
  readonly expiresAt: Date | null;
  readonly reason: string | null;
}

interface Row {
  account_link_id: string;
  kind: string;
  connector: string;
  source_id: string;
  upstream_id: string;
  status: UpstreamSubscriptionStatus;
  expires_at: Date | null;
  reason: string | null;
}

const COLUMNS = 'account_link_id, kind, connector, source_id, upstream_id, status, expires_at, reason';

function toSubscription(row: Row): StoredSubscription {
  return {
    accountLinkId: row.account_link_id,
    kind: row.kind,
    connector: row.connector,
    sourceId: row.source_id,
    upstreamId: row.upstream_id,
    status: row.status,
    expiresAt: row.expires_at,
    reason: row.reason,
  };
}

/** Push subscriptions held at platforms for account links (see the upstream_subscriptions migration). Runs in the caller's tenant transaction. */
@Injectable()
export class UpstreamSubscriptionStore {
  async listForLink(tx: TenantTransaction, accountLinkId: string): Promise<StoredSubscription[]> {
    const rows: Row[] = await tx.query(`SELECT ${COLUMNS} FROM upstream_subscriptions WHERE tenant_id = $1 AND account_link_id = $2 ORDER BY kind`, [tenantOf(tx), accountLinkId]);
    return rows.map(toSubscription);
  }

  /** Replaces a link's subscriptions with what the platform holds now. */
  async replaceForLink(
    tx: TenantTransaction,
    link: { id: string; connector: string; sourceId: string },
    subscriptions: ReadonlyArray<{ kind: string; upstreamId: string; status: UpstreamSubscriptionStatus; expiresAt?: Date; reason?: string }>,
  ): Promise<void> {
    const tenantId = tenantOf(tx);
    await tx.query(`DELETE FROM upstream_subscriptions WHERE tenant_id = $1 AND account_link_id = $2 AND NOT (kind = ANY($3::text[]))`, [
      tenantId,
      link.id,
      subscriptions.map((subscription) => subscription.kind),
    ]);
    for (const subscription of subscriptions) {
      await tx.query(
        `INSERT INTO upstream_subscriptions (account_link_id, kind, tenant_id, connector, source_id, upstream_id, status, expires_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (account_link_id, kind) DO UPDATE
           SET source_id = EXCLUDED.source_id, upstream_id = EXCLUDED.upstream_id, status = EXCLUDED.status,
               expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason, updated_at = now()`,
        [
          link.id,
          subscription.kind,
          tenantId,
          link.connector,
          link.sourceId,
          subscription.upstreamId,
          subscription.status,
          subscription.expiresAt ?? null,
          subscription.reason ?? null,
        ],
      );
    }
  }

  /** The platform revoked a subscription: mark it (the next reconcile creates it again); answers the row, or null when it is not ours. */
  async markRevoked(tx: TenantTransaction, connector: string, upstreamId: string, reason: string): Promise<StoredSubscription | null> {
    const rows: Row[] = await tx.query(
      `WITH marked AS (
         UPDATE upstream_subscriptions SET status = 'revoked', reason = left($4, 200), updated_at = now()
          WHERE tenant_id = $1 AND connector = $2 AND upstream_id = $3
          RETURNING ${COLUMNS})
       SELECT * FROM marked`,
      [tenantOf(tx), connector, upstreamId, reason],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /** Ours with this platform id in a source (WebSub topics are confirmed only when we asked for them). */
  async findBySource(tx: TenantTransaction, connector: string, sourceId: string, upstreamId: string): Promise<StoredSubscription | null> {
    const rows: Row[] = await tx.query(
      `SELECT ${COLUMNS} FROM upstream_subscriptions WHERE tenant_id = $1 AND connector = $2 AND source_id = $3 AND upstream_id = $4 ORDER BY updated_at DESC LIMIT 1`,
      [tenantOf(tx), connector, sourceId, upstreamId],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async markRemoving(tx: TenantTransaction, accountLinkId: string): Promise<void> {
    await tx.query(`UPDATE upstream_subscriptions SET status = 'removing', updated_at = now() WHERE tenant_id = $1 AND account_link_id = $2`, [tenantOf(tx), accountLinkId]);
  }

  async deleteOne(tx: TenantTransaction, accountLinkId: string, kind: string): Promise<void> {
    await tx.query(`DELETE FROM upstream_subscriptions WHERE tenant_id = $1 AND account_link_id = $2 AND kind = $3`, [tenantOf(tx), accountLinkId, kind]);
  }
}
