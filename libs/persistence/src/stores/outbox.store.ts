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
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
}

/** The transactional outbox: written with the business change, drained by the relay. */
export class OutboxStore {
  constructor(private readonly dataSource: DataSource) {}

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
   * Claims due rows and hands them to `publish` while their row locks are held, then marks them
   * sent in the same short transaction. Rows locked by another relay are skipped; a row waits
   * while an older row with the same key is still pending, so per-key order survives retries.
   * If `publish` throws, the transaction rolls back and every claimed row is rescheduled.
   */
  async drainBatch(
    limit: number,
    policy: BackoffPolicy,
    publish: (messages: ClaimedOutboxMessage[]) => Promise<void>,
  ): Promise<{ sent: number; failed: number; dead: number }> {
    let claimed: ClaimedOutboxMessage[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        const rows: Array<{ id: string; tenant_id: string; topic: string; message_key: string; headers: Record<string, string>; payload: Record<string, unknown>; attempts: number }> =
          await manager.query(
            `SELECT o.id::text AS id, o.tenant_id, o.topic, o.message_key, o.headers, o.payload, o.attempts
               FROM outbox o
              WHERE o.status = 'pending' AND o.next_attempt_at <= now()
                AND NOT EXISTS (SELECT 1 FROM outbox older
                                 WHERE older.status = 'pending' AND older.topic = o.topic
                                   AND older.message_key = o.message_key AND older.id < o.id
                                   AND older.next_attempt_at > now())
              ORDER BY o.id
              LIMIT $1
              FOR UPDATE SKIP LOCKED`,
            [limit],
          );
        claimed = rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, topic: r.topic, key: r.message_key, headers: r.headers, payload: r.payload, attempts: r.attempts }));
        if (claimed.length === 0) return;
        await publish(claimed);
        await manager.query(`UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`, [
          claimed.map((m) => m.id),
        ]);
      });
      return { sent: claimed.length, failed: 0, dead: 0 };
    } catch (error) {
      if (claimed.length === 0) throw error;
      const dead = await this.recordFailure(claimed, policy, error instanceof Error ? error.message : String(error));
      return { sent: 0, failed: claimed.length - dead, dead };
    }
  }

  /** Reschedules with exponential backoff and full jitter; rows past maxAttempts become `dead`. */
  private async recordFailure(messages: readonly ClaimedOutboxMessage[], policy: BackoffPolicy, reason: string): Promise<number> {
    const rows: Array<{ status: string }> = await this.dataSource.query(
      `UPDATE outbox
          SET attempts = attempts + 1,
              last_error = left($2, 2000),
              status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => (random() * least($5::float8, $4::float8 * power(2, attempts))) / 1000.0)
        WHERE id = ANY($1::bigint[])
        RETURNING status`,
      [messages.map((m) => m.id), reason, policy.maxAttempts, policy.baseMs, policy.maxMs],
    );
    return rows.filter((row) => row.status === 'dead').length;
  }

  async countByStatus(): Promise<Record<'pending' | 'sent' | 'dead', number>> {
    const rows: Array<{ status: 'pending' | 'sent' | 'dead'; count: string }> = await this.dataSource.query(
      `SELECT status, count(*)::text AS count FROM outbox GROUP BY status`,
    );
    const counts = { pending: 0, sent: 0, dead: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }
}
