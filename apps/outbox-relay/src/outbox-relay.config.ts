import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@activity/config';

export class OutboxRelayConfig extends CommonConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3003;

  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE: number = 2000;

  /** Fallback polling when no NOTIFY arrives (e.g. the LISTEN connection dropped). */
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 1_000;

  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS: number = 12;

  @IsInt()
  @Min(10)
  OUTBOX_BACKOFF_BASE_MS: number = 500;

  @IsInt()
  @Min(100)
  OUTBOX_BACKOFF_MAX_MS: number = 5 * 60_000;

  @IsInt()
  @Min(100)
  KAFKA_PUBLISH_TIMEOUT_MS: number = 10_000;

  /** Hours sent rows are kept (for debugging and replays) before the relay deletes them; 0 keeps them. */
  @IsInt()
  @Min(0)
  OUTBOX_RETENTION_HOURS: number = 72;
}
