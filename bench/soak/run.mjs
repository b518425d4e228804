// bench/soak: the stack as `npm start` runs it, under a steady mixed load for a long time.
//   node bench/soak/run.mjs [--minutes 10] [--warmup-minutes 1] [--webhooks-per-second 50] [--reads-per-second 20]
//                           [--pollers 4] [--streams 4] [--sync-every-seconds 10] [--readers 10]
// Starts the stack (`stack:up`, demo data, manual-sync cooldown 5 s) unless it already answers, then
// runs all at once: signed Minecraft webhooks for the demo's alice at a fixed rate, first-page feed
// reads at a fixed rate spread over --readers users (alice first; a user may read 10 times a second),
// long-pollers (GET /v2/feed/poll, each resuming from its cursor, one user each, honouring 429's
// Retry-After), SSE streams as alice (GET /v2/feed/stream) and manual Steam syncs of her account. Every minute it prints each
// service's median RSS, open descriptors and sockets; at the end, per operation the throughput and
// p50/p99, webhook -> SSE latency, each service's peak RSS in the first and second half after the
// warm-up (target: within 10 %), descriptors at start and end, and the invariant: acknowledged
// webhooks present in the feed exactly once.
// Nothing asserts: it prints numbers, to be compared within one run on the same machine.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { numberArg } from '../bench-args.mjs';
import { ensureStack } from '../bench-stack.mjs';
import { signedWebhook } from '../demo-webhook.mjs';
import { percentile, SERVICE_NAMES, serviceDescriptors, serviceRss } from '../stack-processes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { Pool } = require('pg');

const MINUTES = numberArg('minutes', 10);
const WARMUP_MINUTES = numberArg('warmup-minutes', 1);
const WEBHOOKS_PER_SECOND = numberArg('webhooks-per-second', 50);
const READS_PER_SECOND = numberArg('reads-per-second', 20);
const POLLERS = numberArg('pollers', 4);
const STREAMS = numberArg('streams', 4);
const SYNC_EVERY_SECONDS = numberArg('sync-every-seconds', 10);
const READERS = numberArg('readers', 10);
const GATEWAY = process.env.BENCH_GATEWAY_URL ?? 'http://127.0.0.1:3001';
const FEED = process.env.BENCH_FEED_URL ?? 'http://127.0.0.1:3000';
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity';
const log = (message) => process.stderr.write(`[soak] ${message}\n`);

// A 5 s manual-sync cooldown, so the syncs every --sync-every-seconds are accepted.
const stack = await ensureStack({ feedUrl: FEED, gatewayUrl: GATEWAY, env: { MANUAL_SYNC_COOLDOWN_SECONDS: process.env.MANUAL_SYNC_COOLDOWN_SECONDS ?? '5' }, log });

const tokenOf = (user) => execFileSync(process.execPath, [path.join(root, 'dist/tools/token.js'), '--tenant', 'demo', '--user', user], { cwd: root, encoding: 'utf8' }).trim();
const readers = Array.from({ length: Math.max(1, READERS) }, (_, index) => `Bearer ${tokenOf(index === 0 ? 'alice' : `reader-${index}`)}`);
const authorization = readers[0];
const db = new Pool({ connectionString: ADMIN_URL, max: 2 });
const run = randomUUID().slice(0, 8);

// --- what each operation saw ---------------------------------------------------------------------

/** operation -> { latencies (ms), ok, failed: Map(status -> count) } */
const ops = new Map();
function record(operation, latencyMs, outcome) {
  const entry = ops.get(operation) ?? { latencies: [], ok: 0, failed: new Map() };
  ops.set(operation, entry);
  if (outcome === 'ok') {
    entry.ok += 1;
    entry.latencies.push(latencyMs);
  } else entry.failed.set(outcome, (entry.failed.get(outcome) ?? 0) + 1);
}

async function timed(operation, work, okStatuses = [200]) {
  const started = performance.now();
  try {
    const response = await work();
    await response.arrayBuffer();
    record(operation, performance.now() - started, okStatuses.includes(response.status) ? 'ok' : String(response.status));
    return response;
  } catch (error) {
    record(operation, performance.now() - started, error.cause?.code ?? error.name);
    return undefined;
  }
}

/** marker -> { id, sentAt, ackedAt, seenAt } for every webhook sent. */
const deliveries = new Map();

async function sendWebhook() {
  const marker = randomUUID();
  const webhook = signedWebhook(`${run}:${marker}`, undefined, 'soak');
  const delivery = { id: webhook.id, sentAt: performance.now(), ackedAt: undefined, seenAt: undefined };
  deliveries.set(marker, delivery);
  const response = await timed('webhook', () => fetch(`${GATEWAY}/v1/webhooks/minecraft/demo-minecraft`, { method: 'POST', headers: webhook.headers, body: webhook.body }), [202]);
  if (response?.status === 202) delivery.ackedAt = performance.now();
}

// --- load shapes -----------------------------------------------------------------------------------

const until = performance.now() + MINUTES * 60_000;
const stop = new AbortController();

/** Calls `operation` `perSecond` times a second until the end, without waiting for answers (open loop). */
async function atRate(perSecond, operation) {
  if (perSecond <= 0) return;
  const inFlight = new Set();
  const start = performance.now();
  for (let n = 0; performance.now() < until; n += 1) {
    const wait = start + (n * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const pending = operation().finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
}

async function poller(index) {
  // Readers other than alice: her poller would be woken by every webhook and spend her request budget.
  const authorization = readers.length > 1 ? readers[1 + (index % (readers.length - 1))] : readers[0];
  let cursor;
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const response = await fetch(`${FEED}/v2/feed/poll?timeout=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization }, signal: stop.signal });
      // 200: something new (resume from its head cursor); 204: nothing before the timeout.
      const body = response.status === 200 ? await response.json() : (await response.arrayBuffer(), {});
      const ok = response.status === 200 || response.status === 204;
      record(response.status === 204 ? 'poll-timeout' : 'poll-answer', performance.now() - started, ok ? 'ok' : String(response.status));
      if (body.headCursor) cursor = body.headCursor;
      if (response.status === 429) await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      else if (!ok) await sleep(1_000);
    } catch (error) {
      if (stop.signal.aborted) return;
      record('poll-answer', performance.now() - started, error.cause?.code ?? error.name);
      await sleep(1_000);
    }
  }
}

/** One SSE client; the first one times webhook -> stream for every marker it sees. */
async function stream(index) {
  while (performance.now() < until) {
    try {
      const response = await fetch(`${FEED}/v2/feed/stream`, { headers: { authorization, accept: 'text/event-stream' }, signal: stop.signal });
      record('sse-connect', 0, response.status === 200 ? 'ok' : String(response.status));
      if (response.status !== 200) {
        await sleep(1_000);
        continue;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.includes('event: activity')) continue;
          record('sse-event', 0, 'ok');
          if (index !== 0) continue;
          const marker = new RegExp(`"key":"soak:${run}:([0-9a-f-]{36})"`).exec(frame)?.[1];
          const delivery = marker && deliveries.get(marker);
          if (delivery && delivery.seenAt === undefined) delivery.seenAt = performance.now();
        }
      }
    } catch (error) {
      if (stop.signal.aborted) return;
      record('sse-connect', 0, error.cause?.code ?? error.name);
      await sleep(1_000);
    }
  }
}

async function steamLinkId() {
  const response = await fetch(`${FEED}/v2/accounts`, { headers: { authorization } });
  const body = await response.json();
  return (Array.isArray(body) ? body : []).find((link) => link.provider === 'steam')?.id;
}

async function syncs() {
  const linkId = await steamLinkId();
  if (!linkId) {
    log('alice has no Steam link in this stack; syncs are left out');
    return;
  }
  while (performance.now() < until) {
    // 202: queued; 429: the manual-sync cooldown said "not yet" (expected when the interval is shorter).
    await timed('sync-request', () => fetch(`${FEED}/v2/accounts/${linkId}/sync`, { method: 'POST', headers: { authorization } }), [202]);
    await sleep(SYNC_EVERY_SECONDS * 1000);
  }
}

// --- the run ---------------------------------------------------------------------------------------

const startedAt = new Date();
let reads = 0;
const { rows: syncRunsBefore } = await db.query(`SELECT count(*)::int AS n FROM sync_runs WHERE tenant_id = 'demo' AND status = 'succeeded'`);
const firstRss = serviceRss();
const firstDescriptors = serviceDescriptors();
let warmDescriptors;
log(`${MINUTES} min: ${WEBHOOKS_PER_SECOND} webhooks/s, ${READS_PER_SECOND} feed reads/s, ${POLLERS} long-pollers, ${STREAMS} SSE streams, a sync every ${SYNC_EVERY_SECONDS} s`);
/** RSS every 5 s per service (the minute lines show each minute's median). */
const rssSamples = [];
const median = (values) => percentile(values, 50);
const minuteMedian = (minute) =>
  Object.fromEntries(SERVICE_NAMES.map((name) => [name, median(rssSamples.filter((sample) => sample.minute === minute).map((sample) => sample.rss[name]))]));
const sampler = (async () => {
  const started = performance.now();
  let printed = 0;
  while (performance.now() < until) {
    await sleep(Math.max(0, Math.min(5_000, until - performance.now())));
    const minute = Math.min(MINUTES, Math.floor((performance.now() - started) / 60_000) + 1);
    rssSamples.push({ minute, rss: serviceRss() });
    const complete = performance.now() >= until ? minute : minute - 1;
    for (; printed < complete; printed += 1) {
      const rss = minuteMedian(printed + 1);
      const descriptors = serviceDescriptors();
      if (printed + 1 === WARMUP_MINUTES) warmDescriptors = descriptors;
      console.log(
        `minute ${String(printed + 1).padStart(2)}  ${SERVICE_NAMES.map((name) => `${name} ${rss[name].toFixed(0)} MiB ${descriptors[name].fds} fds (${descriptors[name].sockets} sockets)`).join('  ')}`,
      );
    }
  }
})();
const streams = Array.from({ length: STREAMS }, (_, index) => stream(index));
const pollers = Array.from({ length: POLLERS }, (_, index) => poller(index));
await Promise.all([
  atRate(WEBHOOKS_PER_SECOND, sendWebhook),
  atRate(READS_PER_SECOND, () => {
    reads += 1;
    return timed('feed-read', () => fetch(`${FEED}/v2/feed?limit=20`, { headers: { authorization: readers[reads % readers.length] } }));
  }),
  syncs(),
  sampler,
]);
// The last webhooks get a moment to arrive before the streams close.
await sleep(5_000);
stop.abort();
await Promise.allSettled([...streams, ...pollers]);

// --- the report ------------------------------------------------------------------------------------

const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
const seconds = MINUTES * 60;
console.log(`\nper operation (${MINUTES} min):`);
for (const [operation, entry] of [...ops].sort()) {
  const failed = [...entry.failed].map(([why, count]) => `${count}×${why}`).join(', ') || 'none';
  const timing = entry.latencies.some((value) => value > 0) ? `p50 ${ms(percentile(entry.latencies, 50))}, p99 ${ms(percentile(entry.latencies, 99))}` : '';
  console.log(`  ${operation.padEnd(13)} ${String(entry.ok).padStart(7)} ok (${(entry.ok / seconds).toFixed(1)}/s)  ${timing}  not ok: ${failed}`);
}

const acknowledged = [...deliveries.values()].filter((delivery) => delivery.ackedAt !== undefined);
const toStream = acknowledged.filter((delivery) => delivery.seenAt !== undefined).map((delivery) => delivery.seenAt - delivery.sentAt);
console.log(`  webhook -> SSE p50 ${ms(percentile(toStream, 50))}, p99 ${ms(percentile(toStream, 99))}; never seen on the stream: ${acknowledged.length - toStream.length}`);

// The invariant, from the database: every acknowledged delivery stored once (the unique key makes
// "twice" impossible there; the feed query below would show a duplicate all the same).
const ids = acknowledged.map((delivery) => delivery.id);
const present = new Map();
for (let start = 0; start < ids.length; start += 5_000) {
  const { rows } = await db.query(
    `SELECT source_event_id, count(*)::int AS n FROM activity_events WHERE tenant_id = 'demo' AND source = 'minecraft' AND source_event_id = ANY($1) GROUP BY source_event_id`,
    [ids.slice(start, start + 5_000)],
  );
  for (const row of rows) present.set(row.source_event_id, row.n);
}
const { rows: syncRunsAfter } = await db.query(`SELECT count(*)::int AS n FROM sync_runs WHERE tenant_id = 'demo' AND status = 'succeeded'`);
const { rows: outbox } = await db.query(`SELECT status, count(*)::int AS n FROM outbox WHERE created_at >= $1 GROUP BY status ORDER BY status`, [startedAt]);
console.log(
  `  invariant: sent ${deliveries.size}, acknowledged ${acknowledged.length}, present ${[...present.values()].filter((n) => n === 1).length}, ` +
    `duplicated ${[...present.values()].filter((n) => n > 1).length}, lost ${ids.filter((id) => !present.has(id)).length}; ` +
    `syncs completed ${syncRunsAfter[0].n - syncRunsBefore[0].n}; outbox rows of the run ${outbox.map((row) => `${row.status} ${row.n}`).join(', ') || 'none'}`,
);

const lastDescriptors = serviceDescriptors();
// A V8 heap saws up and down over minutes, so single readings say little. A leak raises the peaks:
// compare the highest RSS of the first half after the warm-up with the highest of the second half.
const afterWarmup = rssSamples.filter((sample) => sample.minute > WARMUP_MINUTES);
const halves = [afterWarmup.slice(0, Math.floor(afterWarmup.length / 2)), afterWarmup.slice(Math.floor(afterWarmup.length / 2))];
const peakOf = (samples, name) => Math.max(0, ...samples.map((sample) => sample.rss[name]));
const warmMinute = Math.min(MINUTES, WARMUP_MINUTES + 1);
const [warmMedian, lastMedian] = [minuteMedian(warmMinute), minuteMedian(MINUTES)];
const percent = (from, to) => (from ? `${((100 * (to - from)) / from).toFixed(1)} %` : 'n/a');
console.log(
  `\nmemory and descriptors (RSS after the ${WARMUP_MINUTES}-minute warm-up: peak of the first half -> peak of the second half, target within 10 %; ` +
    `median of minute ${warmMinute} -> minute ${MINUTES}):`,
);
for (const name of SERVICE_NAMES) {
  const [first, second] = halves.map((samples) => peakOf(samples, name));
  const change = `${percent(first, second)}; median ${warmMedian[name].toFixed(0)} -> ${lastMedian[name].toFixed(0)} MiB, ${percent(warmMedian[name], lastMedian[name])}`;
  const before = (warmDescriptors ?? firstDescriptors)[name];
  console.log(
    `  ${name.padEnd(18)} RSS ${firstRss[name].toFixed(0).padStart(4)} at start, peaks ${first.toFixed(0).padStart(4)} -> ${second.toFixed(0).padStart(4)} MiB (${change}); ` +
      `fds ${before.fds} -> ${lastDescriptors[name].fds}, sockets ${before.sockets} -> ${lastDescriptors[name].sockets}`,
  );
}

await db.end();
stack.stop();
