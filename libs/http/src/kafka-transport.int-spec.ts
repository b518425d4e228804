import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import pino from 'pino';
import {
  consumerBinding,
  createKafka,
  deadLetterTopicOf,
  EventPublisher,
  eventTypeOf,
  type FeedUpdatedV1,
  KafkaConsumerTransport,
  KafkaEventContext,
  KafkaProbe,
  MalformedMessageError,
  MemoryProcessedEvents,
  newCloudEvent,
  toKafkaHeaders,
  Topic,
  TopicNames,
} from '@activity/messaging';
import { checkReadiness, HealthRegistry } from '@activity/observability';
import { testEnvironment, waitFor } from '@activity/testing';
import { PassThroughRpcErrors } from './pass-through-rpc-errors.filter';

const run = randomUUID().slice(0, 8);
const seen: Array<{ userId: string; tenantId: string; ceId: string }> = [];

@Controller()
class FeedUpdatesProbe {
  @EventPattern(Topic.FeedUpdated, consumerBinding({ group: `transport-test-${run}` }))
  async onFeedUpdated(@Payload() update: FeedUpdatedV1, @Ctx() context: KafkaEventContext): Promise<void> {
    if (!update.userId.startsWith(run)) return;
    if (update.userId.endsWith('poison')) throw new MalformedMessageError('invalid_delivery', 'this update can never be handled');
    seen.push({ userId: update.userId, tenantId: context.tenantId, ceId: context.event.id });
  }
}

@Module({ controllers: [FeedUpdatesProbe] })
class ProbeModule {}

describe('KafkaConsumerTransport with Nest @EventPattern handlers (real Kafka)', () => {
  const environment = testEnvironment();
  const logger = pino({ level: 'silent' });
  const kafka = createKafka({ brokers: environment.kafkaBrokers, clientId: 'transport-test' }, logger);
  const topics = new TopicNames(environment.topicPrefix);
  const publisher = new EventPublisher(kafka, topics);
  const health = new HealthRegistry();
  const transport = new KafkaConsumerTransport(kafka, topics, publisher, health, { processed: new MemoryProcessedEvents(), maxAttempts: 3 }, logger);
  let app: INestMicroservice;
  let probe: KafkaProbe;

  beforeAll(async () => {
    probe = await KafkaProbe.start(environment.kafkaBrokers, [topics.physical(deadLetterTopicOf(Topic.FeedUpdated))]);
    app = await NestFactory.createMicroservice(ProbeModule, { strategy: transport, logger: false });
    app.useGlobalFilters(new PassThroughRpcErrors());
    await app.listen();
    await transport.whenConsuming();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await probe?.stop();
    await publisher.disconnect();
  });

  const publish = (userId: string, ceId = randomUUID()) =>
    publisher.publish([
      {
        topic: Topic.FeedUpdated,
        key: userId,
        headers: toKafkaHeaders(newCloudEvent({ id: ceId, type: eventTypeOf(Topic.FeedUpdated), source: '/transport-test', tenantId: 'tenant-t' })),
        value: JSON.stringify({ tenantId: 'tenant-t', userId, eventIds: ['1'], types: ['minecraft.player.joined'], newestOccurredAt: '2026-11-26T10:00:00.000Z' }),
      },
    ]);

  it('delivers the validated payload and the CloudEvent context to the handler, once per ce_id', async () => {
    const ceId = randomUUID();
    const barrier = randomUUID();
    await publish(`${run}-alice`, ceId);
    await publish(`${run}-alice`, ceId);
    // Same key, same partition, handled in order: once the barrier is seen, the duplicate before it was too.
    await publish(`${run}-alice`, barrier);
    await publish(`${run}-bob`);
    await waitFor('both users handled', () => seen.some((s) => s.userId === `${run}-bob`) && seen.some((s) => s.ceId === barrier));
    expect(seen.filter((s) => s.userId === `${run}-alice`)).toEqual([
      { userId: `${run}-alice`, tenantId: 'tenant-t', ceId },
      { userId: `${run}-alice`, tenantId: 'tenant-t', ceId: barrier },
    ]);
  });

  it('passes the handler’s own error to the runner: a poison message reaches the DLQ at once with its reason', async () => {
    await publish(`${run}-poison`);
    const dead = await probe.waitForMessage('the poison update in the DLQ', (m) => m.key === `${run}-poison`);
    expect(dead.headers).toMatchObject({ dlq_reason: 'invalid_delivery', dlq_attempts: '1', dlq_consumer_group: `transport-test-${run}` });
  });

  it('reports each consumer in the health registry', async () => {
    const report = await checkReadiness(health.list());
    expect(report.checks[`transport-test-${run}`]).toMatchObject({ status: 'up', critical: true });
    expect(report.checks[`transport-test-${run}-progress`]).toMatchObject({ status: 'up', critical: false });
  });
});
