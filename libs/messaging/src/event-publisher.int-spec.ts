import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { metricsRegistry } from '@activity/observability';
import { testEnvironment, waitFor } from '@activity/testing';
import { EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { KafkaProbe } from './kafka-probe';
import { TopicNames } from './topics';

async function groupStats(): Promise<{ count: number; sum: number }> {
  const text = await metricsRegistry.getSingleMetricAsString('kafka_producer_group_publishes');
  const read = (name: string) => Number(new RegExp(`^kafka_producer_group_publishes_${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { count: read('count'), sum: read('sum') };
}

describe('EventPublisher against Kafka', () => {
  const environment = testEnvironment();
  const topics = new TopicNames(environment.topicPrefix);
  const kafka = createKafka({ brokers: environment.kafkaBrokers, clientId: 'publisher-test' }, pino({ level: 'silent' }));
  const publisher = new EventPublisher(kafka, topics);
  let probe: KafkaProbe;

  beforeAll(async () => {
    probe = await KafkaProbe.start(environment.kafkaBrokers, [topics.physical('feed.updated')]);
    await publisher.connect();
  });
  afterAll(async () => {
    await probe.stop();
    await publisher.disconnect();
  });

  it('sends concurrent publishes together (group commit), each resolved once acknowledged, in order per key', async () => {
    const run = randomUUID();
    const before = await groupStats();
    await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        publisher.publish([{ topic: 'feed.updated', key: `${run}:k${n % 4}`, headers: { ce_id: `${run}-${n}` }, value: JSON.stringify({ n }) }]),
      ),
    );
    const after = await groupStats();
    expect(after.sum - before.sum).toBe(200);
    // Fewer produce requests than publishes: they shared requests.
    expect(after.count - before.count).toBeLessThan(200);
    await waitFor('all 200 on the topic', () => (probe.messages.filter((m) => m.key?.startsWith(`${run}:`)).length === 200 ? true : undefined), 20_000, 50);
    for (let k = 0; k < 4; k += 1) {
      const order = probe.messages.filter((m) => m.key === `${run}:k${k}`).map((m) => (m.data as { n: number }).n);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order).toHaveLength(50);
    }
  });
});
