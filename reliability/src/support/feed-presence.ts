import { Pool } from 'pg';

/**
 * Watches the tenant's stored events from the database (every 100 ms, riding out the database's
 * own outages) and records when each delivery id first appeared: the clock for recovery times.
 */
export class FeedPresence {
  readonly firstSeenAt = new Map<string, number>();
  private readonly pool: Pool;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    adminDatabaseUrl: string,
    private readonly tenant: string,
  ) {
    this.pool = new Pool({ connectionString: adminDatabaseUrl, max: 1, connectionTimeoutMillis: 1_000 });
    this.pool.on('error', () => undefined);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), 100);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { rows } = await this.pool.query<{ source_event_id: string }>(`SELECT source_event_id FROM activity_events WHERE tenant_id = $1 AND source = 'minecraft'`, [
        this.tenant,
      ]);
      const now = Date.now();
      for (const { source_event_id: id } of rows) if (!this.firstSeenAt.has(id)) this.firstSeenAt.set(id, now);
    } catch {
      // The database may be the fault: the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  /** Rows per delivery id, straight from the table (the unique key should make every count 1). */
  async rowCounts(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ source_event_id: string; n: string }>(
      `SELECT source_event_id, count(*) AS n FROM activity_events WHERE tenant_id = $1 AND source = 'minecraft' GROUP BY source_event_id`,
      [this.tenant],
    );
    return new Map(rows.map((row) => [row.source_event_id, Number(row.n)]));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.end();
  }
}
