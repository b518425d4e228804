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

  /**
   * Stores what a reconcile is about to ask for before it asks (a WebSub hub may verify intent
   * before the request returns): new rows as given; a row already holding the same platform id
   * and enabled or pending is left untouched. Answers the database's clock at planning, after
   * which what the platform settles (`settle`) wins over the reconcile's answer.
   */
  async plan(
    tx: TenantTransaction,
    link: { id: string; connector: string; sourceId: string },
    subscriptions: ReadonlyArray<{ kind: string; upstreamId: string; status: UpstreamSubscriptionStatus; expiresAt?: Date }>,
  ): Promise<Date> {
    const tenantId = tenantOf(tx);
    for (const subscription of subscriptions) {
      await tx.query(
        `INSERT INTO upstream_subscriptions (account_link_id, kind, tenant_id, connector, source_id, upstream_id, status, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (account_link_id, kind) DO UPDATE
           SET source_id = EXCLUDED.source_id, upstream_id = EXCLUDED.upstream_id, status = EXCLUDED.status,
               expires_at = EXCLUDED.expires_at, reason = NULL, updated_at = now()
         WHERE NOT (upstream_subscriptions.upstream_id = EXCLUDED.upstream_id AND upstream_subscriptions.source_id = EXCLUDED.source_id
                    AND upstream_subscriptions.status IN ('enabled', 'pending'))`,
        [link.id, subscription.kind, tenantId, link.connector, link.sourceId, subscription.upstreamId, subscription.status, subscription.expiresAt ?? null],
      );
    }
    const [{ now }] = (await tx.query(`SELECT now() AS now`)) as [{ now: Date }];
    return now;
  }

  /**
   * The platform confirmed (`enabled`, with its lease) or refused (`failed`, with the reason) one
   * of a source's subscriptions; answers the row, or null when it is not ours.
   */
  async settle(
    tx: TenantTransaction,
    connector: string,
    sourceId: string,
    upstreamId: string,
    outcome: { status: 'enabled'; expiresAt?: Date } | { status: 'failed'; reason: string },
  ): Promise<StoredSubscription | null> {
    const rows: Row[] = await tx.query(
      `WITH settled AS (
         UPDATE upstream_subscriptions SET status = $5, expires_at = $6, reason = left($7, 200), updated_at = clock_timestamp()
          WHERE tenant_id = $1 AND connector = $2 AND source_id = $3 AND upstream_id = $4 AND status <> 'removing'
          RETURNING ${COLUMNS})
       SELECT * FROM settled`,
      [
        tenantOf(tx),
        connector,
        sourceId,
        upstreamId,
        outcome.status,
        outcome.status === 'enabled' ? (outcome.expiresAt ?? null) : null,
        outcome.status === 'failed' ? outcome.reason : null,
      ],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /**
   * Replaces a link's subscriptions with what the platform holds now. With `settledAfter` (from
   * `plan`), a row the platform confirmed or refused since then keeps what the platform said.
   */
  async replaceForLink(
    tx: TenantTransaction,
    link: { id: string; connector: string; sourceId: string },
    subscriptions: ReadonlyArray<{ kind: string; upstreamId: string; status: UpstreamSubscriptionStatus; expiresAt?: Date; reason?: string }>,
    settledAfter?: Date,
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
               expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason, updated_at = now()
         WHERE $10::timestamptz IS NULL
            OR NOT (upstream_subscriptions.upstream_id = EXCLUDED.upstream_id AND upstream_subscriptions.status IN ('enabled', 'failed')
                    AND upstream_subscriptions.updated_at > $10::timestamptz)`,
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
          settledAfter ?? null,
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
