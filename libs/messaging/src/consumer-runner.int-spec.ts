import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { testEnvironment, waitFor } from '@activity/testing';
import { KafkaProbe } from './kafka-probe';
import { newCloudEvent, toKafkaHeaders } from './cloud-event';
import { ConsumerRunner, type InboundMessage } from './consumer-runner';
import { eventTypeOf } from './contracts/event-contracts';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { MemoryProcessedEvents } from './processed-events';
import { deadLetterTopicOf, Topic, TopicNames } from './topics';

describe('ConsumerRunner (real Kafka)', () => {
  const environment = testEnvironment();
  const logger = pino({ level: 'silent' });
  const kafka = createKafka({ brokers: environment.kafkaBrokers, clientId: 'consumer-runner-test' }, logger);
  const topics = new TopicNames(environment.topicPrefix);
  const publisher = new EventPublisher(kafka, topics);
  let probe: KafkaProbe;
  let runner: ConsumerRunner<typeof Topic.FeedUpdated> | undefined;

  beforeAll(async () => {
    probe = await KafkaProbe.start(environment.kafkaBrokers, [topics.physical(deadLetterTopicOf(Topic.FeedUpdated))]);
  });
  afterEach(async () => runner?.stop());
  afterAll(async () => {
    await probe.stop();
    await publisher.disconnect();
  });

  const valid = (userId: string) => ({ tenantId: 'demo', userId, eventIds: ['1'], types: ['minecraft.player.joined'], newestOccurredAt: '2026-11-26T10:00:00.000Z' });
  const headers = (type = eventTypeOf(Topic.FeedUpdated)) => toKafkaHeaders(newCloudEvent({ type, source: '/test', tenantId: 'demo' }));

  type Inbound = InboundMessage<typeof Topic.FeedUpdated>;
  async function startRunner(
    handle: (message: Inbound) => Promise<void>,
    processed?: MemoryProcessedEvents,
    batch?: { handleBatch: (messages: readonly Inbound[]) => Promise<void>; maxBatchSize: number },
  ) {
    runner = new ConsumerRunner(
      kafka,
      topics,
      publisher,
      {
        groupId: `runner-test-${randomUUID()}`,
        topic: Topic.FeedUpdated,
        handle,
        maxAttempts: 3,
        retryBaseMs: 10,
        fromBeginning: false,
        ...(processed ? { processed } : {}),
        ...(batch ?? {}),
      },
      logger,
    );
    await runner.start();
    // A new group with fromBeginning=false only sees messages produced after it joined and fetched.
    await runner.whenConsuming();
  }

  it('sends malformed messages to the DLQ with the reason and keeps consuming the partition', async () => {
    const handled: string[] = [];
    await startRunner(async (message) => void handled.push(message.payload.userId));
    const marker = randomUUID();
    // Same key, so all three land on one partition, in this order.
    await publisher.publish([
      { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: '{not json' },
      { topic: Topic.FeedUpdated, key: marker, headers: headers('dev.activity.feed.updated.v9'), value: JSON.stringify(valid('v9')) },
      { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: JSON.stringify(valid(`after-${marker}`)) },
    ]);
    await waitFor('the valid message behind two poison ones', () => handled.includes(`after-${marker}`));
    expect(handled).toEqual([`after-${marker}`]);
    const json = await probe.waitForMessage('malformed JSON in the DLQ', (m) => m.key === marker && m.headers['dlq_reason'] === 'malformed_json');
    expect(json.value).toBe('{not json');
    expect(json.headers).toMatchObject({ dlq_original_topic: 'feed.updated', dlq_attempts: '1', ce_type: 'dev.activity.feed.updated.v1' });
    expect(json.headers['dlq_original_offset']).toMatch(/^\d+$/);
    const major = await probe.waitForMessage('unknown major in the DLQ', (m) => m.key === marker && m.headers['dlq_reason'] === 'unsupported_major_version');
    expect(major.headers['dlq_error']).toContain('major version 9');
  });

  it('retries a failing handler, then dead-letters it without blocking the next message', async () => {
    const attempts = new Map<string, number>();
    await startRunner(async (message) => {
      const user = message.payload.userId;
      attempts.set(user, (attempts.get(user) ?? 0) + 1);
      if (user.startsWith('poison')) throw new Error('database says no');
    });
    const marker = randomUUID();
    await publisher.publish([
      { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: JSON.stringify(valid(`poison-${marker}`)) },
      { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: JSON.stringify(valid(`next-${marker}`)) },
    ]);
    await waitFor('the message after the poison one', () => attempts.get(`next-${marker}`) === 1);
    expect(attempts.get(`poison-${marker}`)).toBe(3);
    const dead = await probe.waitForMessage('handler failure in the DLQ', (m) => m.key === marker && m.headers['dlq_reason'] === 'handler_failed');
    expect(dead.headers).toMatchObject({ dlq_attempts: '3', dlq_error: 'database says no' });
    expect(runner!.stats).toMatchObject({ processed: 1, failed: 1, deadLettered: 1 });
  });

  it('skips a redelivered ce_id once it was handled', async () => {
    const handled: string[] = [];
    await startRunner(async (message) => void handled.push(message.event.id), new MemoryProcessedEvents());
    const marker = randomUUID();
    const same = headers();
    await publisher.publish([
      { topic: Topic.FeedUpdated, key: marker, headers: same, value: JSON.stringify(valid(`once-${marker}`)) },
      { topic: Topic.FeedUpdated, key: marker, headers: same, value: JSON.stringify(valid(`once-${marker}`)) },
      { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: JSON.stringify(valid(`other-${marker}`)) },
    ]);
    await waitFor('the distinct message', () => handled.length === 2);
    expect(handled[0]).toBe(same['ce_id']);
    expect(runner!.stats).toMatchObject({ processed: 2, duplicates: 1 });
  });

  describe('in batch mode', () => {
    const publishUsers = (key: string, users: readonly string[], ceHeaders = () => headers()) =>
      publisher.publish(users.map((user) => ({ topic: Topic.FeedUpdated, key, headers: ceHeaders(), value: JSON.stringify(valid(user)) })));

    it("hands one partition's messages over several at a time, in order, and counts each", async () => {
      const batches: string[][] = [];
      const single = jest.fn(async () => undefined);
      await startRunner(single, undefined, { maxBatchSize: 20, handleBatch: async (messages) => void batches.push(messages.map((m) => m.payload.userId)) });
      const marker = randomUUID();
      const users = Array.from({ length: 50 }, (_, i) => `${marker}-${i}`);
      await publishUsers(marker, users);
      await waitFor('all 50 messages handled', () => batches.flat().length === 50);
      expect(batches.flat()).toEqual(users);
      expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
      expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(20);
      expect(single).not.toHaveBeenCalled();
      expect(runner!.stats).toMatchObject({ processed: 50, failed: 0 });
    });

    it('retries a failing batch message by message: the poison one goes to the DLQ alone, the rest land in order', async () => {
      const handled: string[] = [];
      const marker = randomUUID();
      const poison = `${marker}-poison`;
      await startRunner(
        async (message) => {
          if (message.payload.userId === poison) throw new Error('cannot store this one');
          handled.push(message.payload.userId);
        },
        undefined,
        {
          maxBatchSize: 50,
          handleBatch: async (messages) => {
            if (messages.some((m) => m.payload.userId === poison)) throw new Error('cannot store this one');
            handled.push(...messages.map((m) => m.payload.userId));
          },
        },
      );
      const users = [`${marker}-a`, `${marker}-b`, poison, `${marker}-c`, `${marker}-d`];
      await publishUsers(marker, users);
      await waitFor('the four good messages', () => handled.filter((u) => u.startsWith(marker)).length === 4);
      expect(handled).toEqual(users.filter((u) => u !== poison));
      const dead = await probe.waitForMessage('the poison message in the DLQ', (m) => m.key === marker && m.headers['dlq_reason'] === 'handler_failed');
      expect(JSON.parse(dead.value ?? '{}').userId).toBe(poison);
      expect(runner!.stats).toMatchObject({ processed: 4, failed: 1, deadLettered: 1 });
    });

    it('waits out a dependency outage with the whole batch, then lands every message once', async () => {
      const handled: string[] = [];
      let outages = 2;
      const single = jest.fn(async () => undefined);
      await startRunner(single, undefined, {
        maxBatchSize: 50,
        handleBatch: async (messages) => {
          if (outages > 0) {
            outages -= 1;
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          }
          handled.push(...messages.map((m) => m.payload.userId));
        },
      });
      const marker = randomUUID();
      const users = Array.from({ length: 10 }, (_, i) => `${marker}-${i}`);
      await publishUsers(marker, users);
      await waitFor('the batch after the outage', () => handled.length === 10);
      expect(handled).toEqual(users);
      expect(outages).toBe(0);
      expect(single).not.toHaveBeenCalled();
      expect(runner!.stats).toMatchObject({ processed: 10, failed: 0, deadLettered: 0 });
    });

    it('skips ce_ids already handled and repeats within one batch', async () => {
      const handled: string[] = [];
      const processed = new MemoryProcessedEvents();
      await startRunner(async () => undefined, processed, { maxBatchSize: 50, handleBatch: async (messages) => void handled.push(...messages.map((m) => m.event.id)) });
      const marker = randomUUID();
      const same = headers();
      const before = headers();
      await processed.remember(runner!['options'].groupId, before['ce_id']!);
      await publisher.publish([
        { topic: Topic.FeedUpdated, key: marker, headers: before, value: JSON.stringify(valid(`${marker}-0`)) },
        { topic: Topic.FeedUpdated, key: marker, headers: same, value: JSON.stringify(valid(`${marker}-1`)) },
        { topic: Topic.FeedUpdated, key: marker, headers: same, value: JSON.stringify(valid(`${marker}-1`)) },
        { topic: Topic.FeedUpdated, key: marker, headers: headers(), value: JSON.stringify(valid(`${marker}-2`)) },
      ]);
      await waitFor('the two new messages', () => handled.length === 2);
      expect(handled[0]).toBe(same['ce_id']);
      expect(runner!.stats).toMatchObject({ processed: 2, duplicates: 2 });
    });
  });
});
