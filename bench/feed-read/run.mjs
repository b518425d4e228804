// bench/feed-read: read throughput and latency of the feed API against 1M events over 10k users,
// plus one heavy user with 100k events of their own.
//   node bench/feed-read/run.mjs [--duration 10] [--connections 16] [--events 1000000] [--users 10000]
// Prints req/s and p50/p99 for: v2 first page, v2 at depth 10k (keyset), v1 at depth 10k (OFFSET),
// the aggregated first page (view=aggregated) next to the plain one, for ordinary users and for the
// heavy one (grouping must not scan a user's history: p99 within 2x of the plain page), and the same
// v2 SQL through pgbench as the ceiling, then the ratios (same machine, same run, so the ratios are
// what to compare across changes, not the absolute numbers).
// Needs Postgres, Redis and Kafka running (npm run kafka:up) and a build (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { numberArg } from '../bench-args.mjs';
import { startBenchFeedApi } from '../bench-feed-api.mjs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { Client } = require('pg');
const { migrateDatabase } = require(`${root}/dist/libs/persistence/src`);
const { createKafka, ensureTopics, TopicNames } = require(`${root}/dist/libs/messaging/src`);
const pino = require('pino');
const { FeedCursor } = require(`${root}/dist/libs/domain/src`);
const { issueDevToken, loadOrCreateDevKeyPair } = require(`${root}/dist/libs/auth/src`);

const arg = numberArg;
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 16);
const EVENTS = arg('events', 1_000_000);
const USERS = arg('users', 10_000);
const DEPTH = 10_000;
const HEAVY_EVENTS = 100_000;
const PAGE = 20;
const PORT = 3290;
const TENANT = 'bench';
const CURSOR_SECRET = 'bench-feed-cursor-secret-0123456789';
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity_bench';
const APP_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity_bench';
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

async function seed() {
  await migrateDatabase(ADMIN_URL);
  const db = new Client({ connectionString: ADMIN_URL });
  await db.connect();
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM activity_events WHERE tenant_id = $1`, [TENANT]);
  if (rows[0].n !== EVENTS + HEAVY_EVENTS) {
    log(`seeding ${EVENTS} events over ${USERS} users`);
    await db.query(`DELETE FROM activity_events WHERE tenant_id = $1`, [TENANT]);
    await db.query(`DELETE FROM feed_groups WHERE tenant_id = $1`, [TENANT]);
    const batch = 200_000;
    for (let start = 0; start < EVENTS; start += batch) {
      await db.query(
        `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, payload)
         SELECT $1, 'u' || (g % $2), 'bench', 'e' || g,
                (ARRAY['minecraft.player.joined','minecraft.player.quit','minecraft.player.advancement','steam.achievement.unlocked'])[1 + g % 4],
                jsonb_build_object('type','Person','id','p' || (g % $2),'name','player ' || (g % $2)),
                jsonb_build_object('type','Object','id','o' || (g % 97),'name','Thing ' || (g % 97)),
                jsonb_build_object('type','Service','id','s1','name','Survival'),
                timestamptz '2025-01-01' + make_interval(secs => g * 30), jsonb_build_object('n', g)
           FROM generate_series($3::int, $4::int) g`,
        [TENANT, USERS, start + 1, Math.min(EVENTS, start + batch)],
      );
    }
    // The heavy user: 100k events of four types every 10 s (about 12 days), so groups hold thousands.
    await db.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, payload)
       SELECT $1, 'heavy', 'bench', 'h' || g,
              (ARRAY['minecraft.player.joined','minecraft.player.quit','minecraft.player.advancement','steam.achievement.unlocked'])[1 + g % 4],
              jsonb_build_object('type','Person','id','heavy','name','heavy player'),
              jsonb_build_object('type','Object','id','o' || (g % 97),'name','Thing ' || (g % 97)),
              jsonb_build_object('type','Service','id','s1','name','Survival'),
              timestamptz '2026-01-01' + make_interval(secs => g * 10), jsonb_build_object('n', g)
         FROM generate_series(1, $2::int) g`,
      [TENANT, HEAVY_EVENTS],
    );
    await db.query('VACUUM ANALYZE activity_events');
  }
  const grouped = await db.query(`SELECT count(*)::int AS n FROM feed_groups WHERE tenant_id = $1`, [TENANT]);
  if (grouped.rows[0].n === 0) {
    // What RecordActivity does as events arrive, done at once: the default rule (actor and target per UTC day), as the feed_aggregation migration does.
    log('grouping the seeded events');
    await db.query(
      `UPDATE activity_events
          SET group_key = type || '~' || floor(extract(epoch FROM occurred_at) / 86400)::bigint || '~'
                       || substr(encode(sha256(convert_to(coalesce(actor->>'id', '') || E'\\n' || coalesce(target->>'id', ''), 'UTF8')), 'hex'), 1, 16)
        WHERE tenant_id = $1 AND user_id IS NOT NULL`,
      [TENANT],
    );
    await db.query(
      `INSERT INTO feed_groups (tenant_id, user_id, group_key, type, event_count, first_at, last_at, last_event_id, actors)
       SELECT tenant_id, user_id, group_key, min(type), count(*), min(occurred_at), max(occurred_at), max(id), (array_agg(DISTINCT actor->>'id'))[1:20]
         FROM activity_events WHERE tenant_id = $1 AND group_key IS NOT NULL GROUP BY tenant_id, user_id, group_key`,
      [TENANT],
    );
    await db.query('VACUUM ANALYZE activity_events');
    await db.query('VACUUM ANALYZE feed_groups');
  }
  const deep = await db.query(`SELECT occurred_at, id::text AS id FROM activity_events WHERE tenant_id = $1 ORDER BY occurred_at DESC, id DESC OFFSET $2 LIMIT 1`, [
    TENANT,
    DEPTH - 1,
  ]);
  const plan = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT e.id FROM activity_events e WHERE e.tenant_id = $1 AND (e.occurred_at, e.id) < ($2::timestamptz, $3::bigint)
     ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${PAGE + 1}`,
    [TENANT, deep.rows[0].occurred_at, deep.rows[0].id],
  );
  await db.end();
  return { deep: deep.rows[0], plan: plan.rows.map((row) => row['QUERY PLAN']).join('\n') };
}

async function load(name, requests) {
  const result = await autocannon({ url: `http://127.0.0.1:${PORT}`, connections: CONNECTIONS, duration: DURATION, requests });
  const bad = result.non2xx + result.errors;
  if (bad) log(`${name}: ${bad} non-2xx/errors`);
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad };
}

function pgbench(name, sql) {
  const dir = mkdtempSync(path.join(tmpdir(), 'feed-bench-'));
  const file = path.join(dir, 'q.sql');
  writeFileSync(file, `${sql}\n`);
  const out = spawnSync('pgbench', ['-n', '-c', String(CONNECTIONS), '-j', '2', '-T', String(DURATION), '-f', file, '-r', APP_URL.replace('postgres://', 'postgresql://')], {
    encoding: 'utf8',
    env: { ...process.env, PGOPTIONS: `-c app.tenant_id=${TENANT}` },
  });
  if (out.status !== 0) throw new Error(`pgbench failed: ${out.stderr}`);
  const tps = Number(/tps = ([\d.]+)/.exec(out.stdout)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out.stdout)?.[1]);
  return { name, rps: tps, p50: latency, p99: NaN, bad: 0, note: 'pgbench: average latency in the p50 column' };
}

async function main() {
  const { deep, plan } = await seed();
  log(`EXPLAIN of the v2 tenant query at depth ${DEPTH} on ${EVENTS} rows:\n${plan}`);
  const work = mkdtempSync(path.join(tmpdir(), 'feed-bench-'));
  const policyFile = path.join(work, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ roles: { reader: ['activity.feed.read', 'activity.feed.read_tenant'] }, defaultRoles: ['reader'], subjects: {} }));
  const keys = await loadOrCreateDevKeyPair(path.join(work, 'keys'));
  await ensureTopics(createKafka({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', clientId: 'bench' }, pino({ level: 'silent' })), new TopicNames('bench.'), {
    partitions: 3,
    replicationFactor: 1,
  });
  const child = await startBenchFeedApi({ port: PORT, databaseUrl: APP_URL, cursorSecret: CURSOR_SECRET, policyFile, keyDir: path.join(work, 'keys') });
  try {
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        issueDevToken(keys, { tenantId: TENANT, userId: `u${(i * 49) % USERS}`, issuer: 'activity-dev', audience: 'activity-service', ttlSeconds: 3600 }),
      ),
    );
    const heavy = await issueDevToken(keys, { tenantId: TENANT, userId: 'heavy', issuer: 'activity-dev', audience: 'activity-service', ttlSeconds: 3600 });
    const admin = await issueDevToken(keys, { tenantId: TENANT, userId: 'analyst', issuer: 'activity-dev', audience: 'activity-service', ttlSeconds: 3600 });
    const cursor = new FeedCursor(CURSOR_SECRET).encode({ occurredAt: new Date(deep.occurred_at), id: deep.id }, JSON.stringify([TENANT, 'analyst', 'tenant', [], null, null]));
    let next = 0;
    const rotating = (pathFor) => [
      {
        setupRequest: (request) => {
          const token = tokens[next++ % tokens.length];
          return { ...request, method: 'GET', path: pathFor(), headers: { authorization: `Bearer ${token}` } };
        },
      },
    ];
    const fixed = (requestPath, token = admin) => [{ method: 'GET', path: requestPath, headers: { authorization: `Bearer ${token}` } }];
    const results = [];
    results.push(
      await load(
        'v2 first page (user feed)',
        rotating(() => `/v2/feed?limit=${PAGE}`),
      ),
    );
    results.push(await load(`v2 depth ${DEPTH} (tenant feed, keyset)`, fixed(`/v2/feed?scope=tenant&limit=${PAGE}&cursor=${cursor}`)));
    results.push(await load(`v1 depth ${DEPTH} (tenant feed, OFFSET)`, fixed(`/v1/feed?scope=tenant&page_size=${PAGE}&page=${DEPTH / PAGE + 1}`)));
    // Like the plain first page above, mostly served from each user's feed cache.
    const aggregated = await load(
      'aggregated first page (user feed)',
      rotating(() => `/v2/feed?view=aggregated&limit=${PAGE}`),
    );
    // Both first pages of one user are served from the feed cache after the first request: the heavy
    // user's are read with a filter (every type) that skips it, so these measure the database path.
    const everyType = 'types=minecraft.player.joined,minecraft.player.quit,minecraft.player.advancement,steam.achievement.unlocked';
    const heavyPlain = await load(`heavy user (${HEAVY_EVENTS / 1000}k): plain first page`, fixed(`/v2/feed?limit=${PAGE}&${everyType}`, heavy));
    const heavyAggregated = await load(`heavy user: aggregated first page`, fixed(`/v2/feed?view=aggregated&limit=${PAGE}&${everyType}`, heavy));
    // The default page carries 3 samples per group: 4 items a group, 4x the plain page's output. One sample compares like with like.
    const heavyOneSample = await load(`heavy user: aggregated, 1 sample`, fixed(`/v2/feed?view=aggregated&limit=${PAGE}&samples=1&${everyType}`, heavy));
    const heavyFiltered = await load(`heavy user: aggregated, since filter`, fixed(`/v2/feed?view=aggregated&limit=${PAGE}&since=2026-01-05T12:00:00Z`, heavy));
    results.push(aggregated, heavyPlain, heavyAggregated, heavyOneSample, heavyFiltered);
    const ceilingFirst = pgbench(
      'ceiling: v2 first-page SQL via pgbench',
      `\\set u random(0, ${USERS - 1})\nSELECT id::text, tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, received_at, payload FROM activity_events e WHERE e.tenant_id = '${TENANT}' AND e.user_id = 'u' || :u ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${PAGE + 1};`,
    );
    const ceilingDeep = pgbench(
      `ceiling: v2 depth ${DEPTH} SQL via pgbench`,
      `SELECT id::text, tenant_id, user_id, source, source_event_id, type, actor, object, target, occurred_at, received_at, payload FROM activity_events e WHERE e.tenant_id = '${TENANT}' AND (e.occurred_at, e.id) < ('${new Date(deep.occurred_at).toISOString()}'::timestamptz, ${deep.id}::bigint) ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${PAGE + 1};`,
    );
    results.push(ceilingFirst, ceilingDeep);
    process.stdout.write(`\nfeed-read: ${EVENTS} events, ${USERS} users, ${CONNECTIONS} connections, ${DURATION} s per scenario\n`);
    process.stdout.write(`${'scenario'.padEnd(44)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}\n`);
    for (const r of results)
      process.stdout.write(`${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(9)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)}${r.bad ? `  (${r.bad} errors)` : ''}\n`);
    process.stdout.write(
      `\nratios (same run): v2 first page / its SQL ceiling = ${(results[0].rps / ceilingFirst.rps).toFixed(2)}; ` +
        `v2 depth ${DEPTH} / its SQL ceiling = ${(results[1].rps / ceilingDeep.rps).toFixed(2)}; v2 depth / v1 depth = ${(results[1].rps / results[2].rps).toFixed(1)}x\n` +
        `aggregated / plain first page p99 (target: within 2x): ${(aggregated.p99 / results[0].p99).toFixed(2)}x (users of 100 events), ` +
        `${(heavyAggregated.p99 / heavyPlain.p99).toFixed(2)}x (the heavy user, 3 samples), ${(heavyOneSample.p99 / heavyPlain.p99).toFixed(2)}x (1 sample), ${(heavyFiltered.p99 / heavyPlain.p99).toFixed(2)}x (since filter)\n`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
