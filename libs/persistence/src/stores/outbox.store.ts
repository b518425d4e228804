import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource, EntityManager } from 'typeorm';

export interface OutboxMessage {
  readonly tenantId: string;
  readonly topic: string;
  readonly key: string;
  /** CloudEvent binary-mode headers, captured now so the relay publishes exactly what was decided here. */
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface ClaimedOutboxMessage extends OutboxMessage {
  readonly id: string;
  readonly attempts: number;
  readonly createdAt: Date;
}

interface OutboxRow {
  id: string;
  tenant_id: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
}

const CLAIM_COLUMNS = `o.id::text AS id, o.tenant_id, o.topic, o.message_key, o.headers, o.payload, o.attempts, o.created_at`;

function toClaimed(r: OutboxRow): ClaimedOutboxMessage {
  return { id: r.id, tenantId: r.tenant_id, topic: r.topic, key: r.message_key, headers: r.headers, payload: r.payload, attempts: r.attempts, createdAt: r.created_at };
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
}

/** Rows are spread over this many shards (the migration's `% 64`); each is drained under its own lock. */
export const OUTBOX_SHARDS = 64;
/** First key of the two-key advisory locks the relays take (the second is the shard). */
export const OUTBOX_LOCK_NAMESPACE = 7_283_001;

/** The transactional outbox: written with the business change, drained by the relay. */
@Injectable()
export class OutboxStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Adds messages in the caller's transaction, so they commit or roll back with the change they announce. */
  async enqueue(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await manager.query(
      `INSERT INTO outbox (tenant_id, topic, message_key, headers, payload)
       SELECT m.tenant_id, m.topic, m.message_key, m.headers, m.payload
         FROM jsonb_to_recordset($1::jsonb) AS m(tenant_id text, topic text, message_key text, headers jsonb, payload jsonb)`,
      [JSON.stringify(messages.map((m) => ({ tenant_id: m.tenantId, topic: m.topic, message_key: m.key, headers: m.headers, payload: m.payload })))],
    );
  }

  /**
   * Claims one batch of due rows and hands it to `publish`, then marks it sent, in one short
   * transaction. Rows are taken only from shards this transaction could lock
   * (`pg_try_advisory_xact_lock`), so several relays never interleave rows of one key; a relay
   * skips shards another one holds and takes the oldest rows elsewhere, so replicas share a
   * backlog instead of queueing behind each other. Within the
   * batch rows go out in id order, and a row waits while an older row with the same key is backing
   * off. If `publish` throws, the transaction rolls back and the claimed rows are rescheduled.
   *
   * `fromId` starts the search for due shards there: below the oldest row a relay claimed last,
   * rows are sent, or another relay's, or backing off, and the sent rows' dead index entries (until
   * VACUUM) are what makes a full search slow. Within a shard it has locked, a relay still takes the
   * oldest pending rows, from wherever they are, so order per key holds. The relay searches from the
   * start now and then (OutboxRelay). `lowestId` is the oldest row claimed, the next search's start.
   */
  async drainDue(
    limit: number,
    policy: BackoffPolicy,
    publish: (messages: ClaimedOutboxMessage[]) => Promise<void>,
    fromId = '0',
  ): Promise<{ sent: number; failed: number; dead: number; lowestId?: string }> {
    let claimed: ClaimedOutboxMessage[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        const rows: OutboxRow[] = await manager.query(
          `WITH busy AS (
             -- shards another relay is draining right now (two-key advisory locks: classid = key 1, objid = key 2)
             SELECT objid::int AS s FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND classid = $1::int::oid AND granted),
           due AS (
             SELECT DISTINCT c.shard AS s FROM (
               SELECT d.shard FROM outbox d
                WHERE d.status = 'pending' AND d.id >= $3::bigint AND d.next_attempt_at <= now() AND d.shard NOT IN (SELECT s FROM busy)
                ORDER BY d.id LIMIT $2) c),
           mine AS MATERIALIZED (SELECT s FROM due WHERE pg_try_advisory_xact_lock($1, s))
           SELECT ${CLAIM_COLUMNS}
             FROM outbox o
            WHERE o.shard IN (SELECT s FROM mine) AND o.status = 'pending' AND o.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM outbox older
                               WHERE older.shard = o.shard AND older.status = 'pending' AND older.topic = o.topic
                                 AND older.message_key = o.message_key AND older.id < o.id
                                 AND older.next_attempt_at > now())
            ORDER BY o.id
            LIMIT $2
            FOR UPDATE OF o SKIP LOCKED`,
          [OUTBOX_LOCK_NAMESPACE, limit, fromId],
        );
        claimed = rows.map(toClaimed);
        if (claimed.length === 0) return;
        await publish(claimed);
        await manager.query(`UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [
          claimed.map((m) => m.id),
        ]);
      });
      return { sent: claimed.length, failed: 0, dead: 0, ...lowestOf(claimed) };
    } catch (error) {
      if (claimed.length === 0) throw error;
      const dead = await this.recordFailure(claimed, policy, error instanceof Error ? error.message : String(error));
      return { sent: 0, failed: claimed.length - dead, dead, ...lowestOf(claimed) };
    }
  }

  /** Due rows without claiming them (`process-outbox --dry-run`). */
  async listDue(limit: number): Promise<ClaimedOutboxMessage[]> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT ${CLAIM_COLUMNS} FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= now() ORDER BY o.id LIMIT $1`,
      [limit],
    );
    return rows.map(toClaimed);
  }

  /** Brings dead rows back (all, or the given ids) with a fresh attempt budget. Returns the ids requeued. */
  async requeueDead(ids?: readonly string[]): Promise<string[]> {
    // UPDATE wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE ... RETURNING.
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH requeued AS (
         UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = 'requeued after: ' || coalesce(last_error, '')
          WHERE status = 'dead' ${ids ? 'AND id = ANY($1::bigint[])' : ''}
          RETURNING id::text AS id)
       SELECT id FROM requeued`,
      ids ? [ids] : [],
    );
    return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
  }

  /** Deletes sent rows older than the retention, a batch at a time. Returns how many went. */
  async pruneSent(retentionHours: number, batch = 5_000): Promise<number> {
    const rows: Array<{ count: number }> = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE status = 'sent' AND sent_at < now() - make_interval(hours => $1::int) LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS count FROM gone`,
      [retentionHours, batch],
    );
    return rows[0]!.count;
  }

  /** Oldest pending row's age in seconds (0 when none): the relay's lag. */
  async oldestPendingAgeSeconds(): Promise<number> {
    const rows: Array<{ age: number | null }> = await this.dataSource.query(
      `SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox WHERE status = 'pending'`,
    );
    return rows[0]?.age ?? 0;
  }

  /** Reschedules with exponential backoff and full jitter; rows past maxAttempts become `dead`. */
  private async recordFailure(messages: readonly ClaimedOutboxMessage[], policy: BackoffPolicy, reason: string): Promise<number> {
    const rows: Array<{ status: string }> = await this.dataSource.query(
      `WITH failed AS (
         UPDATE outbox
            SET attempts = attempts + 1,
                last_error = left($2, 2000),
                status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
                next_attempt_at = now() + make_interval(secs => (random() * least($5::float8, $4::float8 * power(2, attempts))) / 1000.0)
          -- Runs after the rollback released the rows: another relay may have sent them meanwhile,
          -- and a sent row must never go back to pending (published twice) or dead.
          WHERE id = ANY($1::bigint[]) AND status = 'pending'
          RETURNING status)
       SELECT status FROM failed`,
      [messages.map((m) => m.id), reason, policy.maxAttempts, policy.baseMs, policy.maxMs],
    );
    return rows.filter((row) => row.status === 'dead').length;
  }

  async countByStatus(): Promise<Record<'pending' | 'sent' | 'dead', number>> {
    const rows: Array<{ status: 'pending' | 'sent' | 'dead'; count: string }> = await this.dataSource.query(`SELECT status, count(*)::text AS count FROM outbox GROUP BY status`);
    const counts = { pending: 0, sent: 0, dead: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }
}

function lowestOf(claimed: readonly ClaimedOutboxMessage[]): { lowestId?: string } {
  if (claimed.length === 0) return {};
  return { lowestId: claimed.reduce((lowest, message) => (BigInt(message.id) < BigInt(lowest) ? message.id : lowest), claimed[0]!.id) };
}
