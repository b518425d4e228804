import { IsInt, IsNumber, IsOptional, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';
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

  /** Link previews: the whole fetch of one link (redirects included). */
  @IsInt()
  @Min(100)
  @Max(30_000)
  LINK_PREVIEW_TIMEOUT_MS: number = 5_000;

  /** Bytes of a page read at most (a page's head is at its top). */
  @IsInt()
  @Min(16_384)
  @Max(10_485_760)
  LINK_PREVIEW_MAX_BYTES: number = 524_288;

  @IsInt()
  @Min(0)
  @Max(10)
  LINK_PREVIEW_MAX_REDIRECTS: number = 3;

  @MinLength(8)
  LINK_PREVIEW_USER_AGENT: string = 'activity-service-link-preview/1.0';

  /** Requests per second to one host, shared by every worker (Redis). */
  @IsNumber()
  @Min(0.01)
  LINK_PREVIEW_PER_HOST_PER_SECOND: number = 1;

  @IsInt()
  @Min(1)
  LINK_PREVIEW_PER_HOST_BURST: number = 5;

  @IsInt()
  @Min(60)
  LINK_PREVIEW_TTL_SECONDS: number = 86_400;

  /** How long a link that failed or had no preview is not fetched again. */
  @IsInt()
  @Min(10)
  LINK_PREVIEW_FAILURE_TTL_SECONDS: number = 3_600;

  /**
   * `address:port` pairs link previews may fetch although they are not public (comma-separated):
   * for tests and the local demo's page server only; refused in production.
   */
  @IsOptional()
  @Matches(/^[0-9a-fA-F:.]+:\d{1,5}(,[0-9a-fA-F:.]+:\d{1,5})*$/, { message: 'must be comma-separated address:port pairs' })
  @ValidateBy({
    name: 'notInProduction',
    validator: {
      validate: (value: unknown, args) => !value || (args?.object as CommonConfig).NODE_ENV !== 'production',
      defaultMessage: () => 'must not be set in production (it lets link previews reach private addresses)',
    },
  })
  LINK_PREVIEW_ALLOW_LIST?: string;
}
