import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@activity/config';

export class ConnectorWorkersConfig extends CommonConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3002;

  /** Partitions of webhook.received one process handles at the same time. */
  @IsInt()
  @Min(1)
  @Max(64)
  WEBHOOK_CONSUMER_CONCURRENCY: number = 4;

  /**
   * Webhook deliveries of one partition written in one transaction. Larger batches cost fewer
   * commits per event; a batch is retried message by message when one of its deliveries fails.
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_BATCH_SIZE: number = 200;

  /**
   * Sync requests of one partition taken together; their links sync concurrently (requests for one
   * link in order), so upstream calls can be shared (Steam profiles, 100 per call).
   */
  @IsInt()
  @Min(1)
  @Max(500)
  SYNC_CONSUMER_BATCH_SIZE: number = 20;

  /** Partitions of sync.requested one process handles at the same time. */
  @IsInt()
  @Min(1)
  @Max(64)
  SYNC_CONCURRENCY: number = 4;

  /** Attempts for a failing message before it goes to its topic's DLQ. */
  @IsInt()
  @Min(1)
  @Max(50)
  CONSUMER_MAX_ATTEMPTS: number = 5;

  /** How often every active link is synced. */
  @IsInt()
  @Min(1)
  SYNC_INTERVAL_MINUTES: number = 60;

  /** How often the active scheduler looks for due links. */
  @IsInt()
  @Min(100)
  SYNC_SCHEDULER_TICK_MS: number = 30_000;

  /** How often a standby worker tries to become the scheduler (the take-over bound when the leader dies). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  SYNC_SCHEDULER_TAKEOVER_MS: number = 5_000;

  /** Links enqueued per scheduler transaction. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  SYNC_BATCH_SIZE: number = 500;

  /** How often a worker tries to take a gateway shard nobody runs (the hand-over bound when a worker dies). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  GATEWAY_CLAIM_INTERVAL_MS: number = 5_000;
}
