import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { EventPublisher } from '@activity/messaging';
import type { BackoffPolicy, ClaimedOutboxMessage, OutboxStore } from '@activity/persistence';
import { metricsRegistry } from '@activity/platform';

export interface OutboxRelayOptions {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly publishTimeoutMs: number;
  readonly backoff: BackoffPolicy;
}

const published = new Counter({ name: 'outbox_messages_published_total', help: 'Outbox rows published to Kafka', registers: [metricsRegistry] });
const publishFailures = new Counter({ name: 'outbox_publish_failures_total', help: 'Outbox rows whose publish attempt failed', registers: [metricsRegistry] });
const deadRows = new Counter({ name: 'outbox_messages_dead_total', help: 'Outbox rows that exhausted their attempts', registers: [metricsRegistry] });

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
      const result = await this.store.drainBatch(Math.min(this.options.batchSize, limit - total.sent - total.failed - total.dead), this.options.backoff, (batch) => this.publish(batch));
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
    await this.publisher.publish(
      batch.map((message) => ({ topic: message.topic, key: message.key, headers: message.headers, value: JSON.stringify(message.payload) })),
      { timeoutMs: this.options.publishTimeoutMs },
    );
  }
}
