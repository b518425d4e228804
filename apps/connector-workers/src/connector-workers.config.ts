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

  /** Attempts for a failing delivery before it goes to webhook.received.dlq. */
  @IsInt()
  @Min(1)
  @Max(50)
  CONSUMER_MAX_ATTEMPTS: number = 5;
}
