// bench/outbox: how fast the relay drains a backlog, and its publish lag under steady load.
//   node bench/outbox/run.mjs [--backlog 100000] [--rate 1000] [--seconds 20] [--relays 1]
// Prints events/s for draining the backlog to Kafka (acks=all, idempotent producer) and the
// publish lag (row committed -> Kafka acknowledged) p50/p99 at a steady insert rate.
// Needs Postgres and Kafka running (npm run kafka:up) and a build (npm run build).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { numberArg } from '../bench-args.mjs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const pino = require('pino');
const { migrateDatabase } = require(`${root}/dist/libs/persistence/src`);
const { createKafka, ensureTopics, TopicNames } = require(`${root}/dist/libs/messaging/src`);

const arg = numberArg;
const BACKLOG = arg('backlog', 100_000);
const RATE = arg('rate', 1000);
const SECONDS = arg('seconds', 20);
const RELAYS = arg('relays', 1);
const BATCH = arg('batch', 2000);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity_bench';
const APP_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity_bench';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const PREFIX = 'benchoutbox.';
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

const db = new Pool({ connectionString: ADMIN_URL, max: 4 });
const sent = async () => (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'sent'`)).rows[0].n;

function insert(count, offset) {
  return db.query(
    `INSERT INTO outbox (tenant_id, topic, message_key, headers, payload)
     SELECT 'bench', 'feed.updated', 'bench:u' || (g % 1000),
            jsonb_build_object('ce_specversion', '1.0', 'ce_id', gen_random_uuid()::text, 'ce_type', 'dev.activity.feed.updated.v1',
                               'ce_source', '/bench', 'ce_time', now()::text, 'ce_tenantid', 'bench', 'content-type', 'application/json'),
            jsonb_build_object('tenantId', 'bench', 'userId', 'u' || (g % 1000), 'eventIds', jsonb_build_array(g::text),
                               'types', jsonb_build_array('minecraft.player.joined'), 'newestOccurredAt', now())
       FROM generate_series($1::int, $1::int + $2::int - 1) g`,
    [offset, count],
  );
}

function startRelays() {
  return Array.from({ length: RELAYS }, (_, i) =>
    spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', `${root}/dist/apps/outbox-relay/src/main.js`], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        PORT: String(3380 + i),
        DATABASE_URL: APP_URL,
        KAFKA_BROKERS: BROKERS,
        KAFKA_TOPIC_PREFIX: PREFIX,
        OUTBOX_RETENTION_HOURS: '0',
        OUTBOX_BATCH_SIZE: String(BATCH),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

async function waitForRelays() {
  for (let i = 0; i < 100; i += 1) {
    const ready = await Promise.all(
      Array.from({ length: RELAYS }, (_, r) =>
        fetch(`http://127.0.0.1:${3380 + r}/health/ready`)
          .then((res) => res.ok)
          .catch(() => false),
      ),
    );
    if (ready.every(Boolean)) return;
    await sleep(200);
  }
  throw new Error('relay did not become ready');
}

async function main() {
  await migrateDatabase(ADMIN_URL);
  await ensureTopics(createKafka({ brokers: BROKERS, clientId: 'bench' }, pino({ level: 'silent' })), new TopicNames(PREFIX), { partitions: 12, replicationFactor: 1 });
  await db.query('TRUNCATE outbox');

  log(`inserting a backlog of ${BACKLOG} rows`);
  for (let offset = 0; offset < BACKLOG; offset += 20_000) await insert(Math.min(20_000, BACKLOG - offset), offset);
  await db.query('ANALYZE outbox');
  const relays = startRelays();
  try {
    await waitForRelays();
    const started = Date.now();
    let done = 0;
    while ((done = await sent()) < BACKLOG) await sleep(100);
    const drainSeconds = (Date.now() - started) / 1000;

    log(`steady load: ${RATE} rows/s for ${SECONDS} s`);
    await db.query(`DELETE FROM outbox`);
    const tick = 50;
    const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
    const steadyStart = Date.now();
    let inserted = 0;
    for (let next = steadyStart; Date.now() - steadyStart < SECONDS * 1000; next += tick) {
      await insert(perTick, BACKLOG + inserted);
      inserted += perTick;
      const wait = next + tick - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const achievedRate = inserted / ((Date.now() - steadyStart) / 1000);
    while ((await sent()) < inserted) await sleep(100);
    const lag = (
      await db.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)) * 1000 AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)) * 1000 AS p99,
                max(extract(epoch FROM sent_at - created_at)) * 1000 AS max
           FROM outbox WHERE status = 'sent'`,
      )
    ).rows[0];
    process.stdout.write(`\noutbox: ${RELAYS} relay(s), batch ${BATCH}, 12 partitions, acks=all, idempotent producer\n`);
    process.stdout.write(`backlog drain: ${BACKLOG} rows in ${drainSeconds.toFixed(1)} s = ${Math.round(BACKLOG / drainSeconds)} events/s\n`);
    process.stdout.write(
      `steady ${Math.round(achievedRate)} events/s for ${SECONDS} s: publish lag p50 ${Number(lag.p50).toFixed(1)} ms, p99 ${Number(lag.p99).toFixed(1)} ms, max ${Number(lag.max).toFixed(1)} ms\n`,
    );
  } finally {
    for (const relay of relays) relay.kill('SIGTERM');
    await db.end();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
