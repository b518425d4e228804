import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

const ROOT = process.cwd();
const RULES = path.join(ROOT, 'deploy/prometheus/rules.yml');
const DASHBOARDS = path.join(ROOT, 'deploy/grafana/dashboards');
const PROMQL_WORDS = new Set([
  'sum',
  'rate',
  'increase',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'histogram_quantile',
  'clamp_min',
  'clamp_max',
  'abs',
  'irate',
  'delta',
  'offset',
  'bool',
  'humanizeDuration',
  'le',
]);

/** Metric names an expression reads: identifiers outside label matchers, grouping clauses and strings, minus PromQL words and recording rules. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((name) => name.includes('_') && !name.includes(':') && !PROMQL_WORDS.has(name));
}

function exprsInRules(): string[] {
  return [...readFileSync(RULES, 'utf8').matchAll(/expr: (\|\n((?: {10}.*\n)+)|.*)/g)].map((m) => (m[2] ?? m[1]!).trim());
}

function exprsInDashboards(): string[] {
  return readdirSync(DASHBOARDS).flatMap((file) =>
    (JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> }).panels.flatMap((panel) =>
      panel.targets.map((t) => t.expr),
    ),
  );
}

/**
 * A real Prometheus (Debian package `prometheus`) scrapes the four running services and evaluates
 * the recording rules with their data; every metric a rule or dashboard reads must exist.
 */
describe('observability against a real Prometheus', () => {
  const environment = testEnvironment();
  const keyDir = `.local/test-keys-${process.pid}`;
  const services: ServiceProcess[] = [];
  let prometheus: ChildProcess | undefined;
  const promPort = environment.portBase + 90;
  const query = async (q: string) =>
    (
      (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      }
    ).data.result;

  beforeAll(async () => {
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      STEAM_API_KEY: '0123456789ABCDEF0123456789ABCDEF',
      STEAM_API_BASE_URL: 'http://127.0.0.1:9',
    };
    const base = environment.portBase + 60;
    const names = ['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay'] as const;
    services.push(...(await Promise.all(names.map((name, i) => ServiceProcess.start(name, base + i, env)))));
    const dir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${RULES}']`,
        'scrape_configs:',
        ...names.map((name, i) => `  - { job_name: ${name}, static_configs: [{ targets: ['127.0.0.1:${base + i}'] }] }`),
      ].join('\n'),
    );
    prometheus = spawn('prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    prometheus.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') process.stderr.write('prometheus is not installed (Debian package prometheus); .ci/run installs it\n');
    });
    await waitFor('Prometheus to answer', async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, 30_000, 200);
  }, 120_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await Promise.all(services.map((s) => s.stop()));
  }, 60_000);

  it('scrapes all four services and evaluates the recording rules on their data', async () => {
    const [feedApi, gateway] = services;
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: 'obs', userId: 'alice', issuer: 'activity-dev', audience: 'activity-service' });
    const traffic = async () => {
      for (let i = 0; i < 20; i += 1) {
        await fetch(`${feedApi!.url}/v2/feed`, { headers: { authorization: `Bearer ${token}` } });
        await fetch(`${feedApi!.url}/v2/feed/unread-count`, { headers: { authorization: `Bearer ${token}` } });
        await fetch(`${gateway!.url}/v1/webhooks/minecraft/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      }
    };
    await waitFor(
      'all targets up',
      async () => {
        const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } };
        return targets.data.activeTargets.length === 4 && targets.data.activeTargets.every((t) => t.health === 'up');
      },
      30_000,
      500,
    );
    const reads = await waitFor(
      'activity:feed_read_requests:rate5m to have data',
      async () => {
        await traffic();
        const result = await query('activity:feed_read_requests:rate5m');
        return result.length && Number(result[0]!.value[1]) > 0 ? result : undefined;
      },
      60_000,
      1_000,
    );
    expect(Number(reads[0]!.value[1])).toBeGreaterThan(0);
    // Rules of other groups are evaluated on their own schedule: wait for their first evaluation too.
    const evaluated = (name: string) => waitFor(`${name} to be evaluated`, async () => ((await query(name)).length ? query(name) : undefined), 60_000, 1_000);
    expect(Number((await evaluated('activity:ingest_requests:rate5m'))[0]!.value[1])).toBeGreaterThan(0);
    // Healthy traffic: the availability SLI is 0 errors, so the page does not fire.
    expect(Number((await evaluated('activity:feed_read_errors:ratio_rate5m'))[0]!.value[1])).toBe(0);
    expect(await query('ALERTS{alertname="FeedReadErrorBudgetBurnFast"}')).toEqual([]);
  });

  it('every metric named by a rule or a dashboard is exported by a service', async () => {
    const exported = new Set<string>();
    for (const service of services) {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exported.add(name!);
        if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
      }
    }
    const referenced = new Set([...exprsInRules(), ...exprsInDashboards()].flatMap(metricNames));
    expect(referenced.size).toBeGreaterThan(15);
    expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
  });
});
