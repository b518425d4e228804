import { tenantOf, type TenantTransaction } from '../tenant-transaction';
import { Injectable } from '@nestjs/common';

export interface SyncRun {
  readonly id: string;
  readonly accountLinkId: string;
  readonly connector: string;
  readonly trigger: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'skipped';
  readonly eventsCreated: number;
  readonly apiCalls: number;
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/** One row per sync run. At most one `running` row per link (unique partial index). */
@Injectable()
export class SyncRunStore {
  /**
   * Starts a run, or returns null when another run of this link is in progress. A `running` row
   * older than `staleAfterSeconds` belongs to a worker that died: it is closed as failed first.
   */
  async start(manager: TenantTransaction, run: { tenantId: string; accountLinkId: string; connector: string; trigger: string }, staleAfterSeconds: number): Promise<string | null> {
    await manager.query(
      `UPDATE sync_runs SET status = 'failed', error = 'abandoned: the worker running it stopped', finished_at = now()
        WHERE tenant_id = $1 AND account_link_id = $2 AND status = 'running' AND started_at < now() - make_interval(secs => $3)`,
      [run.tenantId, run.accountLinkId, staleAfterSeconds],
    );
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO sync_runs (tenant_id, account_link_id, connector, trigger) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_link_id) WHERE status = 'running' DO NOTHING
       RETURNING id`,
      [run.tenantId, run.accountLinkId, run.connector, run.trigger],
    );
    return rows[0]?.id ?? null;
  }

  async finish(tx: TenantTransaction, id: string, result: { status: 'succeeded' | 'failed' | 'skipped'; eventsCreated: number; apiCalls: number; error?: string }): Promise<void> {
    const tenantId = tenantOf(tx);
    await tx.query(`UPDATE sync_runs SET status = $3, events_created = $4, api_calls = $5, error = left($6, 2000), finished_at = now() WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
      result.status,
      result.eventsCreated,
      result.apiCalls,
      result.error ?? null,
    ]);
  }

  async listForLink(tx: TenantTransaction, accountLinkId: string, limit: number): Promise<SyncRun[]> {
    const tenantId = tenantOf(tx);
    const rows: Array<{
      id: string;
      account_link_id: string;
      connector: string;
      trigger: string;
      status: SyncRun['status'];
      events_created: number;
      api_calls: number;
      error: string | null;
      started_at: Date;
      finished_at: Date | null;
    }> = await tx.query(
      `SELECT id, account_link_id, connector, trigger, status, events_created, api_calls, error, started_at, finished_at
           FROM sync_runs WHERE tenant_id = $1 AND account_link_id = $2 ORDER BY started_at DESC LIMIT $3`,
      [tenantId, accountLinkId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      accountLinkId: r.account_link_id,
      connector: r.connector,
      trigger: r.trigger,
      status: r.status,
      eventsCreated: r.events_created,
      apiCalls: r.api_calls,
      error: r.error,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    }));
  }
}
