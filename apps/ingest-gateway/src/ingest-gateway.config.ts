import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@activity/config';

export class IngestGatewayConfig extends CommonConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3001;

  /** Webhook bodies above this are refused with 413 before any work is done. */
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  WEBHOOK_BODY_LIMIT_BYTES: number = 256 * 1024;

  /** How long a delivery id is remembered for fast dedupe (the database keeps the durable guard). */
  @IsInt()
  @Min(60)
  WEBHOOK_DEDUPE_TTL_SECONDS: number = 7 * 24 * 3600;

  /**
   * Longest a webhook source and its secrets are used from memory without hearing of a change
   * (changes are NOTIFYed and apply at once; this bounds staleness if notifications stop). 0 reads
   * the database on every delivery.
   */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  WEBHOOK_SOURCE_CACHE_TTL_MS: number = 60_000;

  /** Longest we wait for Kafka to acknowledge before answering 503. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  KAFKA_PUBLISH_TIMEOUT_MS: number = 5_000;
}
