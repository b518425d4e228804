import { Injectable } from '@nestjs/common';
import { tenantOf, type TenantTransaction } from '../tenant-transaction';

export interface UnmatchedDeliveries {
  readonly deliveries: number;
  readonly lastAt: Date | null;
  /** Newest first: `{ deliveryId, at, shape }`. */
  readonly samples: ReadonlyArray<Record<string, unknown>>;
}

/** How many unmatched bodies' shapes a source keeps. */
export const UNMATCHED_SAMPLES = 5;

/**
 * What mapping a custom source's deliveries needs from the database, in the tenant's
 * transaction: the source's settings (its rules), and the count and shapes of deliveries its
 * rules mapped to nothing, for the source's admin.
 */
@Injectable()
export class WebhookSourceMappingStore {
  /** A source's settings, for mapping its deliveries; null when it is gone. */
  async settingsOf(tx: TenantTransaction, connector: string, sourceId: string): Promise<Record<string, unknown> | null> {
    const rows: Array<{ settings: Record<string, unknown> }> = await tx.query(`SELECT settings FROM webhook_sources WHERE connector = $1 AND id = $2`, [connector, sourceId]);
    return rows[0]?.settings ?? null;
  }

  /** Counts a delivery the source's rules mapped to nothing and keeps its shape among the last few. */
  async recordUnmatched(tx: TenantTransaction, connector: string, sourceId: string, sample: Record<string, unknown>): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_source_unmatched AS u (connector, source_id, tenant_id, deliveries, samples, last_at)
       VALUES ($1, $2, $3, 1, jsonb_build_array($4::jsonb), now())
       ON CONFLICT (connector, source_id) DO UPDATE SET
         deliveries = u.deliveries + 1,
         last_at = now(),
         samples = (SELECT COALESCE(jsonb_agg(e ORDER BY n), '[]'::jsonb) FROM jsonb_array_elements(jsonb_build_array($4::jsonb) || u.samples) WITH ORDINALITY AS t(e, n) WHERE n <= ${UNMATCHED_SAMPLES})`,
      [connector, sourceId, tenantOf(tx), JSON.stringify(sample)],
    );
  }

  async unmatched(tx: TenantTransaction, connector: string, sourceId: string): Promise<UnmatchedDeliveries> {
    const rows: Array<{ deliveries: string; samples: Array<Record<string, unknown>>; last_at: Date }> = await tx.query(
      `SELECT deliveries, samples, last_at FROM webhook_source_unmatched WHERE connector = $1 AND source_id = $2`,
      [connector, sourceId],
    );
    const row = rows[0];
    return row ? { deliveries: Number(row.deliveries), lastAt: row.last_at, samples: row.samples } : { deliveries: 0, lastAt: null, samples: [] };
  }
}
