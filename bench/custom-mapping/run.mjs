// bench/custom-mapping: what a custom source's JSONata rules cost per delivery, in the sandbox
// thread connector-workers use (one delivery at a time, each with a deadline).
//   node bench/custom-mapping/run.mjs [--deliveries 5000] [--rules 10]
// Maps GitHub push deliveries with the worked example's push rule placed last among --rules rules
// (so every other rule's `when` is evaluated first), then the same in-process without the thread,
// and prints per-delivery p50/p99 and deliveries/s for both. Needs a build (npm run build).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from '../bench-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { MappingSandbox } = require(path.join(root, 'dist/libs/connectors/src/custom/mapping-sandbox.js'));
const { toCustomEvent } = require(path.join(root, 'dist/libs/connectors/src/custom/custom-event-mapper.js'));
const jsonata = require('jsonata');

const deliveries = numberArg('deliveries', 5000);
const ruleCount = numberArg('rules', 10);

const push = {
  name: 'push',
  when: 'headers."x-github-event" = "push" and $count(body.commits) > 0',
  type: '"repo.pushed"',
  actor: '{ "id": "github:" & body.sender.login, "name": body.sender.login }',
  target: '{ "id": body.repository.html_url, "name": body.repository.full_name, "type": "Repository" }',
  eventId: 'body.after',
  occurredAt: 'body.head_commit.timestamp',
  summary: {
    en: 'body.sender.login & " pushed " & $count(body.commits) & ($count(body.commits) = 1 ? " commit" : " commits") & " to " & body.repository.full_name',
    ru: 'body.sender.login & ": коммитов в " & body.repository.full_name & " — " & $count(body.commits)',
  },
  payload: '{ "ref": body.ref, "commits": body.commits.{ "id": id, "message": message } }',
};
const others = Array.from({ length: ruleCount - 1 }, (_, i) => ({ ...push, name: `other${i}`, when: `headers."x-github-event" = "event_${i}"` }));
const rules = [...others, push];
const input = (i) => ({
  headers: { 'x-github-event': 'push', 'content-type': 'application/json' },
  deliveryId: `d-${i}`,
  receivedAt: new Date().toISOString(),
  body: {
    ref: 'refs/heads/main',
    after: `sha-${i}`,
    head_commit: { timestamp: '2026-11-27T10:00:00Z' },
    commits: Array.from({ length: 3 }, (_, c) => ({ id: `c${i}-${c}`, message: `change ${c}`, added: [], removed: [], modified: ['README.md'] })),
    sender: { login: 'octocat', id: 1 },
    repository: { full_name: 'octo/hello', html_url: 'https://github.com/octo/hello', owner: { login: 'octo' } },
  },
});

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(label, durations, elapsedMs) {
  const sorted = [...durations].sort((a, b) => a - b);
  process.stdout.write(
    `${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(3)} ms  p99 ${percentile(sorted, 99).toFixed(3)} ms  ${Math.round((durations.length / elapsedMs) * 1000)} deliveries/s\n`,
  );
}

const sandbox = new MappingSandbox({ timeoutMs: 200, maxOutputBytes: 16_384 });
for (let i = 0; i < 200; i += 1) await sandbox.evaluate(rules, input(i)); // warm-up: thread start, compiled expressions
let durations = [];
let started = performance.now();
for (let i = 0; i < deliveries; i += 1) {
  const t = performance.now();
  const outcome = await sandbox.evaluate(rules, input(i));
  if (outcome.kind !== 'matched') throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`);
  toCustomEvent(outcome.outputs, { sourceId: 'bench', deliveryId: `d-${i}`, receivedAt: new Date() });
  durations.push(performance.now() - t);
}
report(`sandbox thread, ${ruleCount} rules`, durations, performance.now() - started);
await sandbox.close();

// The same rules evaluated on the calling thread: what the isolation costs.
const compiled = new Map();
const expression = (text) => compiled.get(text) ?? compiled.set(text, jsonata(text, { timeout: 200, stack: 300, sequence: 100000 })).get(text);
durations = [];
started = performance.now();
for (let i = 0; i < deliveries; i += 1) {
  const t = performance.now();
  const data = input(i);
  for (const rule of rules) {
    if (!(await expression(rule.when).evaluate(data))) continue;
    for (const field of ['type', 'actor', 'target', 'eventId', 'occurredAt', 'payload']) await expression(rule[field]).evaluate(data);
    await expression(rule.summary.en).evaluate(data);
    await expression(rule.summary.ru).evaluate(data);
    break;
  }
  durations.push(performance.now() - t);
}
report(`same thread (no isolation), ${ruleCount} rules`, durations, performance.now() - started);
