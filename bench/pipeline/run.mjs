// bench/pipeline: the whole webhook pipeline as `npm start` runs it, measured from outside.
//   node bench/pipeline/run.mjs [--rate 200] [--seconds 20] [--concurrency 32] [--closed-seconds 20] [--players 1] [--soak-minutes 0]
// Starts the stack (`stack:up`, demo data) unless it already answers, listens on the demo tenant's
// /v2/feed/stream?scope=tenant, then runs two phases with signed Minecraft webhooks from --players
// players (default 1: alice's linked player, one key, so one partition handled in order; more spread
// the load over keys, and only alice's events, the announced ones, are timed to the stream):
//   fixed rate   --rate webhooks/s for --seconds (open loop: a slow answer does not slow the sender)
//   closed loop  --concurrency senders, each sending its next webhook when the last is answered
// and prints per phase: accepted/s, ack p50/p99, webhook -> SSE p50/p99, events never seen on SSE,
// the CPU each process used (ms of CPU per accepted webhook, and % of one core), the peak PostgreSQL
// connections each service held open and busy (sampled from pg_stat_activity), and PostgreSQL's top
// statements by total time when pg_stat_statements is loaded (it says how to load it when not).
// --soak-minutes N adds a soak at --rate for N minutes and prints each service's RSS every minute,
// and its change from the first minute to the last (the target: within 10 %).
// Nothing asserts: it prints numbers, to be compared within one run on the same machine.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { numberArg } from '../bench-args.mjs';
import { ensureStack } from '../bench-stack.mjs';
import { DEMO_PLAYER, signedWebhook } from '../demo-webhook.mjs';
import { cpuMsOf, percentile, processGroups, serviceRss } from '../stack-processes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { Pool } = require('pg');

const RATE = numberArg('rate', 200);
const SECONDS = numberArg('seconds', 20);
const CONCURRENCY = numberArg('concurrency', 32);
const CLOSED_SECONDS = numberArg('closed-seconds', 20);
// Players spread the webhooks over keys, hence partitions (one player is one key, handled in order).
const PLAYERS = numberArg('players', 1);
const DRAIN_MS = numberArg('drain-seconds', 15) * 1000;
// A soak after the two phases: --rate for this many minutes, RSS of each service every minute.
const SOAK_MINUTES = numberArg('soak-minutes', 0);
const GATEWAY = process.env.BENCH_GATEWAY_URL ?? 'http://127.0.0.1:3001';
const FEED = process.env.BENCH_FEED_URL ?? 'http://127.0.0.1:3000';
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity';
const PLAYER = DEMO_PLAYER;
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

// --- the stack ---------------------------------------------------------------------------------

const stack = await ensureStack({ feedUrl: FEED, gatewayUrl: GATEWAY, log });

// The tenant stream (demo's admin may read it) sees every player's events, linked or not.
const token = execFileSync(process.execPath, [path.join(root, 'dist/tools/token.js'), '--tenant', 'demo', '--user', 'admin'], { cwd: root, encoding: 'utf8' }).trim();
const players = Array.from({ length: PLAYERS }, (_, i) => (i === 0 ? PLAYER : `be9c0000-0000-4000-8000-${String(i).padStart(12, '0')}`));
const db = new Pool({ connectionString: ADMIN_URL, max: 2 });

// --- processes and their CPU ------------------------------------------------------------------

/** name -> pid -> CPU ms so far; this process as "load generator". */
function cpuSnapshot() {
  const snapshot = Object.fromEntries(Object.entries(processGroups()).map(([name, pids]) => [name, new Map(pids.map((pid) => [pid, cpuMsOf(pid)]))]));
  const own = process.cpuUsage();
  snapshot['load generator'] = new Map([['self', (own.user + own.system) / 1000]]);
  return snapshot;
}

/** CPU used between two snapshots per group: processes that started meanwhile count whole; ones that exited are lost (undercount). */
function cpuUsed(before, after) {
  return Object.fromEntries(Object.entries(after).map(([name, pids]) => [name, [...pids].reduce((sum, [pid, ms]) => sum + Math.max(0, ms - (before[name]?.get(pid) ?? 0)), 0)]));
}

// --- webhooks and the stream -------------------------------------------------------------------

/** marker -> { sentAt, ackedAt, seenAt, announced } for every webhook in flight or accepted (refused ones are removed). */
const deliveries = new Map();
/** status (or "error") -> count, for webhooks the gateway did not accept. */
let refused = new Map();
const refuse = (why) => refused.set(why, (refused.get(why) ?? 0) + 1);

async function send() {
  const marker = randomUUID();
  const player = players[Math.floor(Math.random() * players.length)];
  const webhook = signedWebhook(marker, player);
  // Registered before sending: the event can reach the stream before the 202 reaches us.
  // Only alice's player is linked: its events are announced (feed.updated) and reach the stream;
  // the others' stay on the tenant feed unannounced, by design, and are not waited for.
  const delivery = { sentAt: performance.now(), ackedAt: undefined, seenAt: undefined, announced: player === PLAYER };
  deliveries.set(marker, delivery);
  try {
    const response = await fetch(`${GATEWAY}/v1/webhooks/minecraft/demo-minecraft`, { method: 'POST', headers: webhook.headers, body: webhook.body });
    await response.arrayBuffer();
    if (response.status === 202) delivery.ackedAt = performance.now();
    else {
      deliveries.delete(marker);
      refuse(String(response.status));
    }
  } catch (error) {
    deliveries.delete(marker);
    refuse(error.cause?.code ?? 'error');
  }
}

async function listen(signal) {
  const response = await fetch(`${FEED}/v2/feed/stream?scope=tenant`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
  if (response.status !== 200) throw new Error(`the stream answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').find((line) => line.startsWith('data: '));
      if (!frame.includes('event: activity') || !data) continue;
      const key = /"key":"bench:([0-9a-f-]{36})"/.exec(data)?.[1];
      const delivery = key && deliveries.get(key);
      if (delivery && delivery.seenAt === undefined) delivery.seenAt = performance.now();
    }
  }
}

// --- statistics ---------------------------------------------------------------------------------

const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');

async function statementsReset() {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch (error) {
    log(`pg_stat_statements unavailable (${error.message.split('\n')[0]}); to load it: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; then restart PostgreSQL`);
    return false;
  }
}

async function topStatements(accepted) {
  const { rows } = await db.query(
    `SELECT calls, total_exec_time AS total_ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 8`,
  );
  const total = rows.reduce((sum, row) => sum + Number(row.total_ms), 0);
  console.log(`  top statements (execution time; ${(total / Math.max(1, accepted)).toFixed(3)} ms per accepted webhook in these 8):`);
  for (const row of rows)
    console.log(`    ${Number(row.total_ms).toFixed(0).padStart(7)} ms  ${String(row.calls).padStart(7)} calls  ${String(row.rows).padStart(7)} rows  ${row.query}`);
}

/**
 * Samples pg_stat_activity every 100 ms while `work` runs: per application_name, the most
 * connections open and the most busy (not idle) at one time. What pool sizes are chosen from.
 */
async function connectionUse(work) {
  const peak = new Map();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await db
        .query(
          `SELECT application_name AS app, count(*)::int AS open, count(*) FILTER (WHERE state <> 'idle')::int AS busy
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1`,
        )
        .catch(() => ({ rows: [] }));
      for (const row of rows) {
        const seen = peak.get(row.app) ?? { open: 0, busy: 0 };
        peak.set(row.app, { open: Math.max(seen.open, row.open), busy: Math.max(seen.busy, row.busy) });
      }
      await sleep(100);
    }
  })();
  try {
    await work();
  } finally {
    sampling = false;
    await sampler;
  }
  return peak;
}

async function phase(name, drive) {
  deliveries.clear();
  refused = new Map();
  const pgStatements = await statementsReset();
  const before = cpuSnapshot();
  const started = performance.now();
  const connections = await connectionUse(drive);
  const sendingMs = performance.now() - started;
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline && [...deliveries.values()].some((d) => d.announced && d.seenAt === undefined)) await sleep(50);
  const used = cpuUsed(before, cpuSnapshot());
  const wallMs = performance.now() - started;
  const all = [...deliveries.values()];
  const acks = all.map((d) => d.ackedAt - d.sentAt);
  const announced = all.filter((d) => d.announced);
  const seen = announced.filter((d) => d.seenAt !== undefined).map((d) => d.seenAt - d.sentAt);
  console.log(`\n${name}`);
  const refusals = [...refused].map(([why, count]) => `${count}×${why}`).join(', ') || 'none';
  console.log(`  accepted ${all.length} (${((all.length * 1000) / sendingMs).toFixed(0)}/s), refused ${refusals}`);
  console.log(`  ack           p50 ${ms(percentile(acks, 50))}  p99 ${ms(percentile(acks, 99))}`);
  console.log(
    `  webhook->SSE  p50 ${ms(percentile(seen, 50))}  p99 ${ms(percentile(seen, 99))}  never seen ${announced.length - seen.length} of ${announced.length} announced (after ${DRAIN_MS / 1000} s)`,
  );
  console.log('  CPU           ms per accepted webhook   % of one core');
  for (const [process_, cpuMs] of Object.entries(used)) {
    console.log(`    ${process_.padEnd(18)} ${(cpuMs / Math.max(1, all.length)).toFixed(3).padStart(8)}   ${((100 * cpuMs) / wallMs).toFixed(0).padStart(5)} %`);
  }
  console.log(
    `  PostgreSQL connections, peak open / peak busy: ${[...connections]
      .filter(([app]) => app)
      .sort()
      .map(([app, use]) => `${app} ${use.open}/${use.busy}`)
      .join(', ')}`,
  );
  if (pgStatements) await topStatements(all.length);
}

const stream = new AbortController();
const listening = listen(stream.signal).catch((error) => {
  if (!stream.signal.aborted) log(`stream ended: ${error.message}`);
});
// Warm-up, not reported: consumers joined, connections pooled, the JIT past the cold paths.
log('warming up (5 s at 50/s)');
for (let i = 0; i < 250; i += 1) {
  void send();
  await sleep(20);
}
await sleep(3_000);

await phase(`fixed rate: ${RATE}/s for ${SECONDS} s`, async () => {
  const inFlight = [];
  const interval = 1000 / RATE;
  const start = performance.now();
  for (let i = 0; i < RATE * SECONDS; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send());
  }
  await Promise.all(inFlight);
});

await phase(`closed loop: ${CONCURRENCY} senders for ${CLOSED_SECONDS} s`, async () => {
  const until = performance.now() + CLOSED_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) await send();
    }),
  );
});

if (SOAK_MINUTES > 0) {
  // RSS after the first minute against RSS at the end: a service that grows under steady load leaks.
  console.log(`\nsoak: ${RATE}/s for ${SOAK_MINUTES} min (RSS in MiB per service, sampled every minute)`);
  const samples = [];
  deliveries.clear();
  refused = new Map();
  const interval = 1000 / RATE;
  const start = performance.now();
  let sent = 0;
  let accepted = 0;
  for (let minute = 1; minute <= SOAK_MINUTES; minute += 1) {
    const inFlight = [];
    while (performance.now() - start < minute * 60_000) {
      const wait = start + sent * interval - performance.now();
      if (wait > 1) await sleep(wait);
      sent += 1;
      inFlight.push(send());
    }
    await Promise.all(inFlight);
    accepted += [...deliveries.values()].filter((d) => d.ackedAt !== undefined).length;
    deliveries.clear();
    const rss = serviceRss();
    samples.push(rss);
    console.log(
      `  minute ${String(minute).padStart(2)}  ${Object.entries(rss)
        .map(([name, mib]) => `${name} ${mib.toFixed(0)}`)
        .join('  ')}`,
    );
  }
  console.log(`  accepted ${accepted} of ${sent}, refused ${[...refused].map(([why, count]) => `${count}×${why}`).join(', ') || 'none'}`);
  const [first, last] = [samples[0], samples.at(-1)];
  for (const name of Object.keys(first)) {
    const change = first[name] ? ((100 * (last[name] - first[name])) / first[name]).toFixed(1) : 'n/a';
    console.log(
      `  ${name.padEnd(18)} RSS minute 1 ${first[name].toFixed(0).padStart(5)} MiB, minute ${SOAK_MINUTES} ${last[name].toFixed(0).padStart(5)} MiB (${change} %; target within 10 %)`,
    );
  }
}

stream.abort();
await listening;
await db.end();
stack.stop();
if (existsSync(path.join(root, '.local'))) log('done');
