import pino from 'pino';
import type { EventPublisher, OutgoingMessage } from '@activity/messaging';
import type { BackoffPolicy, ClaimedOutboxMessage, OutboxStore } from '@activity/persistence';
import type { OutboxRelayConfig } from '../outbox-relay.config';
import { OutboxRelay } from './outbox-relay';
import { relayOptions } from './relay-options';

/** An outbox of `due` rows, drained in claims of at most `limit`, as OutboxStore.drainDue does it. */
function fakeStore(due: number) {
  let next = 0;
  const store = {
    drainDue: async (limit: number, _policy: BackoffPolicy, publish: (batch: ClaimedOutboxMessage[]) => Promise<void>) => {
      const batch = Array.from({ length: Math.min(limit, due - next) }, (_, i) => ({
        id: String(next + i + 1),
        tenantId: 't',
        topic: 'feed.updated',
        key: 't:u',
        headers: { ce_id: String(next + i + 1) },
        payload: { n: next + i + 1 },
        attempts: 0,
        createdAt: new Date(),
      })) as unknown as ClaimedOutboxMessage[];
      if (!batch.length) return { sent: 0, failed: 0, dead: 0 };
      try {
        await publish(batch);
      } catch {
        return { sent: 0, failed: batch.length, dead: 0 };
      }
      next += batch.length;
      return { sent: batch.length, failed: 0, dead: 0 };
    },
  };
  return store as unknown as OutboxStore;
}

const options = { batchSize: 2, retentionHours: 0, pollIntervalMs: 10, publishTimeoutMs: 100, backoff: { baseMs: 10, maxMs: 100, maxAttempts: 3 } };

describe('OutboxRelay.drainOnce', () => {
  it('publishes every due row in batches of batchSize, each row as its own message with its headers', async () => {
    const sent: OutgoingMessage[][] = [];
    const publisher = { publish: async (messages: readonly OutgoingMessage[]) => void sent.push([...messages]) } as unknown as EventPublisher;
    const result = await new OutboxRelay(fakeStore(5), publisher, options, pino({ level: 'silent' })).drainOnce();
    expect(result).toEqual({ sent: 5, failed: 0, dead: 0 });
    expect(sent.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(sent[0]![0]).toMatchObject({ topic: 'feed.updated', key: 't:u', headers: { ce_id: '1' }, value: '{"n":1}' });
  });

  it('stops at the first failed batch (the store reschedules it) and honours the limit', async () => {
    const failing = { publish: async () => Promise.reject(new Error('kafka down')) } as unknown as EventPublisher;
    expect(await new OutboxRelay(fakeStore(5), failing, options, pino({ level: 'silent' })).drainOnce()).toEqual({ sent: 0, failed: 2, dead: 0 });
    const ok = { publish: async () => undefined } as unknown as EventPublisher;
    expect(await new OutboxRelay(fakeStore(5), ok, options, pino({ level: 'silent' })).drainOnce(3)).toEqual({ sent: 3, failed: 0, dead: 0 });
  });
});

describe('relayOptions', () => {
  it('takes every relay setting from the service config', () => {
    const config = {
      OUTBOX_BATCH_SIZE: 7,
      OUTBOX_RETENTION_HOURS: 24,
      OUTBOX_POLL_INTERVAL_MS: 500,
      KAFKA_PUBLISH_TIMEOUT_MS: 3000,
      OUTBOX_BACKOFF_BASE_MS: 100,
      OUTBOX_BACKOFF_MAX_MS: 60000,
      OUTBOX_MAX_ATTEMPTS: 9,
    } as OutboxRelayConfig;
    expect(relayOptions(config)).toEqual({ batchSize: 7, retentionHours: 24, pollIntervalMs: 500, publishTimeoutMs: 3000, backoff: { baseMs: 100, maxMs: 60000, maxAttempts: 9 } });
  });
});
