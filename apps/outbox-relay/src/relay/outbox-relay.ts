import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { EventPublisher } from '@activity/messaging';
import type { BackoffPolicy, ClaimedOutboxMessage, OutboxStore } from '@activity/persistence';
import { metricsRegistry, SpanKind, startSpan, traceparentOf } from '@activity/observability';

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /** Sent rows older than this are deleted (0 keeps them). */
  readonly retentionHours: number;
  readonly pollIntervalMs: number;
  readonly publishTimeoutMs: number;
  readonly backoff: BackoffPolicy;
}

/** How often the relay searches for due rows from the start rather than from its floor. */
const FULL_SEARCH_MS = 1_000;

const published = new Counter({ name: 'outbox_messages_published_total', help: 'Outbox rows published to Kafka', registers: [metricsRegistry] });
const publishFailures = new Counter({ name: 'outbox_publish_failures_total', help: 'Outbox rows whose publish attempt failed', registers: [metricsRegistry] });
const deadRows = new Counter({ name: 'outbox_messages_dead_total', help: 'Outbox rows that exhausted their attempts', registers: [metricsRegistry] });
const publishLag = new Histogram({
  name: 'outbox_publish_lag_seconds',
  help: 'Time from an outbox row being written to Kafka acknowledging it',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

/** Gauges read from the table at scrape time, so every relay replica reports the same truth. */
export function registerOutboxGauges(store: OutboxStore): void {
  const byStatus = new Gauge({
    name: 'outbox_messages',
    help: 'Outbox rows by status',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
    async collect() {
      const counts = await store.countByStatus();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  const oldest = new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending outbox row (0 when none)',
    registers: [metricsRegistry],
    async collect() {
      this.set(await store.oldestPendingAgeSeconds());
    },
  });
  void byStatus;
  void oldest;
}

/**
 * Drains the outbox to Kafka: claim a batch, publish it in id order, mark it sent, repeat until
 * nothing is due; then sleep until a NOTIFY or the poll interval. Failures are rescheduled by
 * the store with backoff, and the loop keeps going.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private lastPrune = 0;
  /** Where the next search for due rows starts, and when it last started from the beginning. */
  private floor = '0';
  private lastFullSearch = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called on NOTIFY: skip the rest of the current sleep. */
  notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  /** Lets the batch in flight finish (its transaction commits or rolls back), then returns. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Drains everything that is due now; returns the number of rows published. */
  async drainOnce(limit = Number.POSITIVE_INFINITY): Promise<{ sent: number; failed: number; dead: number }> {
    const total = { sent: 0, failed: 0, dead: 0 };
    while (total.sent + total.failed + total.dead < limit) {
      // From the floor, except once per FULL_SEARCH_MS: then from the start, for rows the floor passed
      // (another relay's shard, a backoff ending, a transaction that committed late with a lower id).
      const full = Date.now() - this.lastFullSearch >= FULL_SEARCH_MS;
      if (full) this.lastFullSearch = Date.now();
      const result = await this.store.drainDue(
        Math.min(this.options.batchSize, limit - total.sent - total.failed - total.dead),
        this.options.backoff,
        (batch) => this.publish(batch),
        full ? '0' : this.floor,
      );
      if (result.lowestId) this.floor = result.lowestId;
      total.sent += result.sent;
      total.failed += result.failed;
      total.dead += result.dead;
      published.inc(result.sent);
      publishFailures.inc(result.failed + result.dead);
      deadRows.inc(result.dead);
      if (result.dead) this.logger.error({ dead: result.dead }, 'outbox rows exhausted their attempts and are now dead');
      if (result.sent + result.failed + result.dead === 0 || result.failed + result.dead > 0) break;
    }
    return total;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      try {
        const result = await this.drainOnce();
        if (result.sent) this.logger.debug({ sent: result.sent }, 'outbox drained');
        if (result.failed) this.logger.warn({ failed: result.failed }, 'outbox publish failed; rows rescheduled with backoff');
      } catch (error) {
        this.logger.error({ err: (error as Error).message }, 'outbox drain failed');
      }
      await this.pruneNowAndThen();
      if (!this.running || this.pendingWake) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async publish(batch: ClaimedOutboxMessage[]): Promise<void> {
    // One span per row, continuing the trace captured when the row was written, and the parent of
    // the consumer's span (no-ops unless tracing is on). A batch mixes traces, so no library span can be.
    const spans = batch.map((message) =>
      startSpan(`relay ${message.topic}`, SpanKind.PRODUCER, message.headers['traceparent'], { 'messaging.destination.name': message.topic, 'activity.outbox.id': message.id }),
    );
    try {
      await this.publisher.publish(
        batch.map((message, index) => ({
          topic: message.topic,
          key: message.key,
          headers: { ...message.headers, ...(traceparentOf(spans[index]!) ? { traceparent: traceparentOf(spans[index]!)! } : {}) },
          value: JSON.stringify(message.payload),
        })),
        { timeoutMs: this.options.publishTimeoutMs },
      );
    } catch (error) {
      for (const span of spans) span.recordException(error as Error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    const now = Date.now();
    for (const message of batch) publishLag.observe((now - message.createdAt.getTime()) / 1000);
  }

  /** Every ten minutes, delete sent rows past the retention (a batch at a time, so it never blocks the relay long). */
  private async pruneNowAndThen(): Promise<void> {
    if (!this.options.retentionHours || Date.now() - this.lastPrune < 10 * 60_000) return;
    this.lastPrune = Date.now();
    try {
      let pruned = 0;
      for (let batch = await this.store.pruneSent(this.options.retentionHours); batch > 0 && this.running; batch = await this.store.pruneSent(this.options.retentionHours))
        pruned += batch;
      if (pruned) this.logger.info({ pruned, retentionHours: this.options.retentionHours }, 'pruned sent outbox rows');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'outbox prune failed; will retry');
    }
  }
}
