// bench/sync: how many account links the workers sync per minute, and whether the shared Steam
// rate limit holds while they do.
//   node bench/sync/run.mjs [--links 1000] [--workers 2] [--rate 100] [--burst 20] [--latency 20]
// Starts the fake Steam Web API (every answer delayed by --latency ms), an outbox-relay and
// --workers connector-workers processes against the activity_bench database, inserts --links
// Steam links due now, and waits until each has one successful sync run. Prints links/minute and
// the peak requests per second the fake saw next to the configured limit.
// Needs Postgres, Redis and Kafka running (npm run kafka:up) and a build (npm run build).
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
const Redis = require('ioredis');
const { migrateDatabase } = require(`${root}/dist/libs/persistence/src`);
const { createKafka, ensureTopics, TopicNames } = require(`${root}/dist/libs/messaging/src`);
const { FakeSteamServer } = require(`${root}/dist/libs/testing/src`);

const arg = numberArg;
const LINKS = arg('links', 1000);
const WORKERS = arg('workers', 2);
const RATE = arg('rate', 100);
const BURST = arg('burst', 20);
const LATENCY = arg('latency', 20);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity_bench';
const APP_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity_bench';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `benchsync${Date.now().toString(36)}.`;
const TENANT = `benchsync-${Date.now().toString(36)}`;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const steamId = (n) => `7656119${String(8_000_000_000 + n).padStart(10, '0')}`;

function spawnService(app, port, fakeUrl, apiKey) {
  return spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', `${root}/dist/apps/${app}/src/main.js`], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: APP_URL,
      KAFKA_BROKERS: BROKERS,
      KAFKA_TOPIC_PREFIX: PREFIX,
      REDIS_URL,
      STEAM_API_BASE_URL: fakeUrl,
      STEAM_API_KEY: apiKey,
      STEAM_RATE_LIMIT_PER_SECOND: String(RATE),
      STEAM_RATE_LIMIT_BURST: String(BURST),
      SYNC_SCHEDULER_TICK_MS: '500',
      SYNC_CONCURRENCY: '8',
      OUTBOX_POLL_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function main() {
  await migrateDatabase(ADMIN_URL);
  await ensureTopics(createKafka({ brokers: BROKERS, clientId: 'bench' }, pino({ level: 'silent' })), new TopicNames(PREFIX), { partitions: 12, replicationFactor: 1 });
  // A fresh bucket: the limit starts full, as for a new API key.
  const redis = new Redis(REDIS_URL);
  await redis.del('ratelimit:bucket:steam');
  redis.disconnect();
  const fake = await FakeSteamServer.start();
  fake.latencyMs = LATENCY;
  for (let n = 0; n < LINKS; n += 1) fake.addFixturePlayer(steamId(n));
  const db = new Pool({ connectionString: ADMIN_URL, max: 2 });
  const children = [spawnService('outbox-relay', 3480, fake.url, fake.apiKey)];
  try {
    for (let i = 0; i < WORKERS; i += 1) children.push(spawnService('connector-workers', 3481 + i, fake.url, fake.apiKey));
    await sleep(3_000);
    fake.resetCounters();
    log(`inserting ${LINKS} Steam links due now`);
    const started = Date.now();
    await db.query(
      `INSERT INTO account_links (tenant_id, user_id, provider, external_id, display_name)
       SELECT $1, 'u' || g, 'steam', '7656119' || lpad((8000000000 + g)::text, 10, '0'), 'bench' FROM generate_series(0, $2::int - 1) g`,
      [TENANT, LINKS],
    );
    let done = 0;
    while (done < LINKS) {
      await sleep(250);
      done = (await db.query(`SELECT count(DISTINCT account_link_id)::int AS n FROM sync_runs WHERE tenant_id = $1 AND status = 'succeeded'`, [TENANT])).rows[0].n;
      if (Date.now() - started > 15 * 60_000) throw new Error(`only ${done} of ${LINKS} links synced in 15 minutes`);
    }
    const minutes = (Date.now() - started) / 60_000;
    const failed = (await db.query(`SELECT count(*)::int AS n FROM sync_runs WHERE tenant_id = $1 AND status <> 'succeeded'`, [TENANT])).rows[0].n;
    process.stdout.write(`\nsync: ${LINKS} Steam links, ${WORKERS} worker process(es), fake Steam latency ${LATENCY} ms, limit ${RATE} req/s (burst ${BURST})\n`);
    process.stdout.write(`synced in ${(minutes * 60).toFixed(1)} s = ${Math.round(LINKS / minutes)} links/minute (${failed} runs not succeeded)\n`);
    process.stdout.write(`Steam requests: ${fake.requests}; peak ${fake.peakPerSecond} req/s observed by the fake (limit ${RATE}/s + burst ${BURST})\n`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await db.end();
    await fake.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
