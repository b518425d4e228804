import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createKafka, KafkaProbe } from '@activity/messaging';
import { createDataSource } from '@activity/persistence';
import { localKafka, ServiceProcess, testEnvironment, waitFor } from '@activity/testing';

const exec = promisify(execFile);

/**
 * outbox-relay as real processes against the real broker: crash safety, per-key order across
 * replicas, Kafka outages, dead rows and the process-outbox command.
 */
describe('outbox-relay', () => {
  const environment = testEnvironment();
  const env = {
    DATABASE_URL: environment.databaseUrl,
    KAFKA_BROKERS: environment.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: environment.topicPrefix,
    OUTBOX_POLL_INTERVAL_MS: '200',
    OUTBOX_BACKOFF_BASE_MS: '200',
    OUTBOX_BACKOFF_MAX_MS: '2000',
    KAFKA_PUBLISH_TIMEOUT_MS: '2000',
  };
  const topic = 'sync.completed';
  const physical = `${environment.topicPrefix}${topic}`;
  let admin: DataSource;
  let probe: KafkaProbe;
  let port = environment.portBase + 30;

  beforeAll(async () => {
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'relay-test' }).initialize();
    probe = await KafkaProbe.start(environment.kafkaBrokers, [physical]);
  });
  afterAll(async () => {
    await probe?.stop();
    await admin?.destroy();
  });
  beforeEach(() => admin.query(`DELETE FROM outbox`));

  /** Inserts rows for `keys` keys, `perKey` each, numbered in insertion order per key. */
  async function enqueue(run: string, keys: number, perKey: number, topicName = topic): Promise<number> {
    await admin.query(
      `INSERT INTO outbox (tenant_id, topic, message_key, headers, payload)
       SELECT 'relay-test', $1, $2 || ':' || (g % $3), jsonb_build_object('ce_id', $2 || '-' || g, 'ce_type', 'test'),
              jsonb_build_object('run', $2::text, 'key', $2 || ':' || (g % $3), 'n', g)
         FROM generate_series(0, $4::int - 1) g ORDER BY g`,
      [topicName, run, keys, keys * perKey],
    );
    return keys * perKey;
  }

  const received = (run: string) => probe.messages.filter((m) => JSON.parse(m.value).run === run).map((m) => JSON.parse(m.value) as { key: string; n: number });
  const counts = async () =>
    Object.fromEntries(((await admin.query(`SELECT status, count(*)::int AS n FROM outbox GROUP BY status`)) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
  const relay = (extra: Record<string, string> = {}) => ServiceProcess.start('outbox-relay', port++, { ...env, ...extra });

  it('loses nothing when the relay is SIGKILLed mid-batch and restarted', async () => {
    const run = randomUUID();
    const total = await enqueue(run, 50, 100);
    const first = await relay({ OUTBOX_BATCH_SIZE: '50' });
    await waitFor('the relay to be part-way through', async () => ((await counts())['sent'] ?? 0) >= 300, 30_000, 20);
    first.kill();
    const afterCrash = await counts();
    expect(afterCrash['pending']).toBeGreaterThan(0);
    const second = await relay({ OUTBOX_BATCH_SIZE: '500' });
    try {
      await waitFor('every row to be sent', async () => (await counts())['sent'] === total, 60_000);
      await waitFor('every row on Kafka', () => new Set(received(run).map((m) => m.n)).size === total, 30_000);
    } finally {
      await second.stop();
    }
    // At least once: a crash may repeat a batch, never drop a row.
    expect(received(run).length).toBeGreaterThanOrEqual(total);
  }, 120_000);

  it('keeps per-key order with three relay processes', async () => {
    const run = randomUUID();
    const total = await enqueue(run, 40, 60);
    const relays = await Promise.all([relay({ OUTBOX_BATCH_SIZE: '25' }), relay({ OUTBOX_BATCH_SIZE: '25' }), relay({ OUTBOX_BATCH_SIZE: '25' })]);
    let publishedPerRelay: number[];
    try {
      await waitFor('every row on Kafka', () => received(run).length >= total, 60_000);
      publishedPerRelay = await Promise.all(
        relays.map(async (r) => Number(/^outbox_messages_published_total (\d+)/m.exec(await (await fetch(`${r.url}/metrics`)).text())?.[1] ?? 0)),
      );
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
    const byKey = new Map<string, number[]>();
    for (const message of received(run)) byKey.set(message.key, [...(byKey.get(message.key) ?? []), message.n]);
    expect(byKey.size).toBe(40);
    for (const sequence of byKey.values()) expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(received(run)).toHaveLength(total);
    // Each row went out exactly once across the three relays (no shard was drained twice).
    expect(publishedPerRelay!.reduce((a, b) => a + b, 0)).toBe(total);
  }, 120_000);

  it('backs off while Kafka is down for 30 s, then sends everything with the attempts recorded', async () => {
    localKafka.assertControllable();
    const run = randomUUID();
    const service = await relay();
    try {
      await probe.stop();
      await localKafka.stop();
      const total = await enqueue(run, 5, 20);
      await waitFor(
        'attempts to be recorded while Kafka is down',
        async () => {
          const [row] = (await admin.query(`SELECT min(attempts)::int AS attempts FROM outbox WHERE status = 'pending'`)) as Array<{ attempts: number }>;
          return (row?.attempts ?? 0) >= 2;
        },
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 30_000 - 5_000));
      const [{ last_error }] = (await admin.query(`SELECT last_error FROM outbox WHERE status = 'pending' LIMIT 1`)) as Array<{ last_error: string }>;
      expect(last_error).toMatch(/Kafka did not acknowledge|Connection|ECONNREFUSED|broker/i);
      await localKafka.start();
      await waitFor('every row to be sent after Kafka returns', async () => (await counts())['sent'] === total, 60_000);
      const [{ min }] = (await admin.query(`SELECT min(attempts)::int AS min FROM outbox`)) as Array<{ min: number }>;
      expect(min).toBeGreaterThan(2);
      probe = await KafkaProbe.start(environment.kafkaBrokers, [physical]);
      await waitFor('the rows on Kafka', () => new Set(received(run).map((m) => m.n)).size === total, 30_000);
    } finally {
      await service.stop();
    }
  }, 180_000);

  it('marks a row that can never be published dead, and the command requeues it', async () => {
    const run = randomUUID();
    const unknownTopic = `missing-${run.slice(0, 8)}`;
    await enqueue(run, 1, 1, unknownTopic);
    const service = await relay({ OUTBOX_MAX_ATTEMPTS: '2', KAFKA_PUBLISH_TIMEOUT_MS: '1000' });
    try {
      await waitFor('the row to die', async () => (await counts())['dead'] === 1, 30_000);
    } finally {
      await service.stop();
    }
    const metrics = await (async () => {
      const live = await relay();
      try {
        return await (await fetch(`${live.url}/metrics`)).text();
      } finally {
        await live.stop();
      }
    })();
    expect(metrics).toMatch(/outbox_messages\{status="dead"\} 1/);
    const [{ id }] = (await admin.query(`SELECT id::text AS id FROM outbox WHERE status = 'dead'`)) as Array<{ id: string }>;
    const kafkaAdmin = createKafka({ brokers: environment.kafkaBrokers, clientId: 'relay-test' }, pino({ level: 'silent' })).admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic: `${environment.topicPrefix}${unknownTopic}`, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await kafkaAdmin.disconnect();
    const cli = (...args: string[]) =>
      exec(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'dist/apps/outbox-relay/src/cli/process-outbox.js', ...args], {
        env: { ...process.env, ...env, LOG_LEVEL: 'error' },
      });
    expect((await cli('--requeue-dead', '--id', id)).stdout).toBe(`requeued 1 dead row(s): ${id}\n`);
    expect((await cli('--dry-run')).stdout).toContain(`${id}\t${unknownTopic}`);
    expect((await cli('--once')).stdout).toBe('published 1, failed 0, dead 0\n');
    expect(await counts()).toEqual({ sent: 1 });
  }, 120_000);
});
