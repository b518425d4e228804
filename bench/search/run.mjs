// bench/search: full-text feed search over 1M events, through feed-api.
//   node bench/search/run.mjs [--duration 10] [--connections 8] [--events 1000000] [--users 10000]
// Seeds --events events (tenant "bench_search", --users users) with search text the way
// RecordActivity writes it (summaries, names, free text in English and Russian), then prints
// req/s and p50/p99 of GET /v2/feed/search in a user's feed and in the tenant feed for: a common
// word ("unlocked", ~1/6 of events), a rare word (~1/10,000), a name prefix ("brunh"), and a
// Russian inflected form ("достижение" finding "достижения"); and the plain first page for scale.
// Needs Postgres, Redis and Kafka running (npm run kafka:up) and a build (npm run build).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { numberArg } from '../bench-args.mjs';
import { startBenchFeedApi } from '../bench-feed-api.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { Client } = require('pg');
const { migrateDatabase } = require(`${root}/dist/libs/persistence/src`);
const { issueDevToken, loadOrCreateDevKeyPair } = require(`${root}/dist/libs/auth/src`);
const { createKafka, ensureTopics, TopicNames } = require(`${root}/dist/libs/messaging/src`);
const pino = require('pino');

const DURATION = numberArg('duration', 10);
const CONNECTIONS = numberArg('connections', 8);
const EVENTS = numberArg('events', 1_000_000);
const USERS = numberArg('users', 10_000);
const PORT = 3291;
const TENANT = 'bench_search';
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity_bench';
const APP_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity_bench';
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

async function seed() {
  await migrateDatabase(ADMIN_URL);
  const db = new Client({ connectionString: ADMIN_URL });
  await db.connect();
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM activity_events WHERE tenant_id = $1`, [TENANT]);
  if (rows[0].n !== EVENTS) {
    log(`seeding ${EVENTS} events with search text over ${USERS} users (the tsvector is computed on insert: a few minutes)`);
    await db.query(`DELETE FROM activity_events WHERE tenant_id = $1`, [TENANT]);
    const batch = 100_000;
    for (let start = 0; start < EVENTS; start += batch) {
      await db.query(
        `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, object, occurred_at, payload, search_text)
         SELECT $1, 'u' || (g % $2), 'bench', 'e' || g, 'platform.bench.happened',
                jsonb_build_object('type','Person','id','p' || (g % $2),'name', CASE WHEN g % 50 = 0 THEN 'Brunhilde ' || (g % 500) ELSE 'player ' || (g % $2) END),
                jsonb_build_object('type','Object','id','o' || (g % 97),'name','Thing ' || (g % 97)),
                timestamptz '2025-01-01' + make_interval(secs => g * 30), jsonb_build_object('n', g),
                concat_ws(E'\\n',
                  CASE WHEN g % 50 = 0 THEN 'Brunhilde ' || (g % 500) ELSE 'player ' || (g % $2) END
                    || ' ' || (ARRAY['unlocked','joined','crafted','explored','built','defeated'])[1 + g % 6]
                    || ' ' || (ARRAY['the diamond','a castle','the bridge','a dragon','the nether','a village','the mine','an island'])[1 + (g * 7) % 8],
                  CASE WHEN g % 3 = 0 THEN 'Игрок получил новые достижения в мире ' || (g % 11) END,
                  CASE WHEN g % 10000 = 7 THEN 'a zephyrine comet was seen' END,
                  'Thing ' || (g % 97))
           FROM generate_series($3::int, $4::int) g`,
        [TENANT, USERS, start + 1, Math.min(EVENTS, start + batch)],
      );
      log(`  ${Math.min(EVENTS, start + batch)} / ${EVENTS}`);
    }
    await db.query('ANALYZE activity_events');
  }
  await db.end();
}

async function load(name, paths, token) {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length], headers: { authorization: `Bearer ${token(next)}` } }) }],
  });
  const bad = result.non2xx + result.errors;
  return { name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, bad };
}

async function main() {
  await seed();
  const work = mkdtempSync(path.join(tmpdir(), 'search-bench-'));
  const policyFile = path.join(work, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ roles: { reader: ['activity.feed.read', 'activity.feed.read_tenant'] }, defaultRoles: ['reader'], subjects: {} }));
  const keys = await loadOrCreateDevKeyPair(path.join(work, 'keys'));
  const tokens = await Promise.all(
    Array.from({ length: 64 }, (_, i) => issueDevToken(keys, { tenantId: TENANT, userId: `u${(i * 157) % USERS}`, issuer: 'activity-dev', audience: 'activity-service' })),
  );
  const token = (n) => tokens[n % tokens.length];
  await ensureTopics(createKafka({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', clientId: 'bench' }, pino({ level: 'silent' })), new TopicNames('bench.'), {
    partitions: 3,
    replicationFactor: 1,
  });
  const child = await startBenchFeedApi({ port: PORT, databaseUrl: APP_URL, cursorSecret: 'bench-search-cursor-secret-0123456789', policyFile, keyDir: path.join(work, 'keys') });
  try {
    const search = (q, scope = 'user') => [`/v2/feed/search?q=${encodeURIComponent(q)}&scope=${scope}&limit=20`];
    const results = [await load('first page (plain feed, for scale)', ['/v2/feed?limit=20'], token)];
    for (const scope of ['user', 'tenant']) {
      results.push(await load(`${scope}: common word "unlocked"`, search('unlocked', scope), token));
      results.push(await load(`${scope}: rare word "zephyrine"`, search('zephyrine', scope), token));
      results.push(await load(`${scope}: prefix "brunh"`, search('brunh', scope), token));
      results.push(await load(`${scope}: Russian "достижение"`, search('достижение', scope), token));
    }
    process.stdout.write(`\nsearch over ${EVENTS} events (${USERS} users), ${CONNECTIONS} connections, ${DURATION} s each\n`);
    for (const r of results)
      process.stdout.write(
        `${r.name.padEnd(38)} ${String(r.rps).padStart(6)} req/s  p50 ${String(r.p50).padStart(5)} ms  p99 ${String(r.p99).padStart(5)} ms${r.bad ? `  (${r.bad} non-2xx/errors)` : ''}\n`,
      );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
