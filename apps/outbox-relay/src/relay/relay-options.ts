import type { OutboxRelayConfig } from '../outbox-relay.config';
import type { OutboxRelayOptions } from './outbox-relay';

export function relayOptions(config: OutboxRelayConfig): OutboxRelayOptions {
  return {
    batchSize: config.OUTBOX_BATCH_SIZE,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
    backoff: { baseMs: config.OUTBOX_BACKOFF_BASE_MS, maxMs: config.OUTBOX_BACKOFF_MAX_MS, maxAttempts: config.OUTBOX_MAX_ATTEMPTS },
  };
}
