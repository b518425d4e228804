// `npm test`: every unit and integration test against the real services.
// Starts Kafka if nothing answers on its port (and stops it afterwards), builds the services the
// integration tests spawn, gives this run its own topic prefix and test database, then runs Jest.
// Extra arguments go to Jest, e.g. `npm test -- --selectProjects unit`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`npm test needs Node 24 (this is ${process.version}); see README "Requirements".\n`);
  process.exit(1);
}

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const [host, port] = brokers.split(',')[0].split(':');
const kafkaAnswers = await new Promise((resolve) => {
  const socket = net.connect({ host, port: Number(port) });
  socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
});

// `--coverage`: Jest measures its own process, every service the tests spawn writes V8 coverage, and
// tools/coverage.mjs unites the two and fails the run under COVERAGE_THRESHOLD (80 % of lines).
const coverage = process.argv.includes('--coverage');
const coverageDir = path.join(root, '.local', 'coverage');
// `--long` (for `npm run reliability -- --long`): the fault scenarios with the full load.
const long = process.argv.includes('--long');
const args = process.argv.slice(2).filter((arg) => arg !== '--coverage' && arg !== '--long');
if (coverage) args.push('--coverage', '--coverageReporters=json', `--coverageDirectory=${path.join(coverageDir, 'jest')}`);
const unitOnly = args.join(' ').includes('--selectProjects unit');
let startedKafka = false;
if (!kafkaAnswers && !unitOnly) {
  const started = spawnSync('bash', [path.join(root, 'deploy/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
  if (started.status !== 0) {
    process.stderr.write('npm test: could not start Kafka (see above); integration tests need it.\n');
    process.exit(1);
  }
  startedKafka = true;
}

const build = spawnSync(process.execPath, [path.join(root, 'tools/build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const env = {
  ...process.env,
  TZ: 'UTC',
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? `test-${Date.now().toString(36)}.`,
  TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity_test',
  TEST_DATABASE_ADMIN_URL: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity_test',
  ...(long ? { RELIABILITY_WEBHOOKS: process.env.RELIABILITY_WEBHOOKS ?? '600', RELIABILITY_RATE: process.env.RELIABILITY_RATE ?? '100' } : {}),
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--disable-warning=TimeoutNegativeWarning'].filter(Boolean).join(' '),
  ...(coverage ? { ACTIVITY_CHILD_V8_COVERAGE: path.join(coverageDir, 'v8') } : {}),
};
if (coverage) {
  rmSync(coverageDir, { recursive: true, force: true });
  mkdirSync(path.join(coverageDir, 'v8'), { recursive: true });
}
const jest = spawnSync(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--runInBand', ...args], { stdio: 'inherit', cwd: root, env });

if (startedKafka && process.env.KEEP_KAFKA !== '1') spawnSync('bash', [path.join(root, 'deploy/kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
let status = jest.status ?? 1;
if (coverage) {
  const report = spawnSync(
    process.execPath,
    [path.join(root, 'tools/coverage.mjs'), path.join(coverageDir, 'jest', 'coverage-final.json'), path.join(coverageDir, 'v8'), process.env.COVERAGE_THRESHOLD ?? '80'],
    { stdio: 'inherit', cwd: root },
  );
  // The verdict for .ci/run, which counts a shortfall as a failed check.
  writeFileSync(path.join(coverageDir, 'verdict'), report.status === 0 ? 'pass' : 'fail');
  if (report.status !== 0 && status === 0) status = 1;
}
process.exit(status);
