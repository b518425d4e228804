// The local stack without Docker:
//   node tools/stack.mjs start   infra + migrate + seed + all four services in the foreground (Ctrl-C stops what it started)
//   node tools/stack.mjs up      the same, detached; exits 0 only when every service answers /health/ready
//   node tools/stack.mjs down    stops what `up` started (services, and Kafka if `up` started it)
// Postgres and Redis are expected at their default URLs (Redis is started if redis-server is on PATH);
// Kafka is started from deploy/kafka/kafka.sh when nothing answers on its port.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import stackEnv from './stack-env.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runDir = path.join(root, '.local', 'run');
const logDir = path.join(root, '.local', 'logs');
// Shell variables, then .env, then the defaults below (docs/configuration.md).
const env = stackEnv.stackEnvironment(path.join(root, '.env'), process.env);

const FAKES = [
  ...(env.STEAM_API_KEY ? [] : [{ name: 'fake-steam', entry: 'dist/tools/fake-steam.js', color: 90 }]),
  ...(env.TRUCKERSMP_API_BASE_URL ? [] : [{ name: 'fake-truckersmp', entry: 'dist/tools/fake-truckersmp.js', color: 90 }]),
  ...(env.DISCORD_CLIENT_ID ? [] : [{ name: 'fake-discord', entry: 'dist/tools/fake-discord.js', color: 90 }]),
  ...(env.TWITCH_CLIENT_ID ? [] : [{ name: 'fake-twitch', entry: 'dist/tools/fake-twitch.js', color: 90 }]),
  ...(env.YOUTUBE_API_KEYS ? [] : [{ name: 'fake-youtube', entry: 'dist/tools/fake-youtube.js', color: 90 }]),
  { name: 'demo-site', entry: 'dist/tools/demo-site.js', color: 90 },
];

const SERVICES = [
  { name: 'feed-api', port: Number(env.FEED_API_PORT ?? 3000), color: 36 },
  { name: 'ingest-gateway', port: Number(env.INGEST_GATEWAY_PORT ?? 3001), color: 35 },
  { name: 'connector-workers', port: Number(env.CONNECTOR_WORKERS_PORT ?? 3002), color: 33 },
  { name: 'outbox-relay', port: Number(env.OUTBOX_RELAY_PORT ?? 3003), color: 32 },
];

const DATABASE_URL = env.DATABASE_URL ?? 'postgres://activity_app@127.0.0.1:5432/activity';
const DATABASE_ADMIN_URL = env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/activity';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KAFKA_BROKERS = env.KAFKA_BROKERS ?? '127.0.0.1:9092';

// Without a real Steam key the demo talks to the fake Steam Web API (tools/fake-steam.ts).
const FAKE_STEAM_PORT = Number(env.FAKE_STEAM_PORT ?? 3090);
const useFakeSteam = !env.STEAM_API_KEY;
// TruckersMP's API needs no key: the demo uses the fake (tools/fake-truckersmp.ts) unless TRUCKERSMP_API_BASE_URL names one.
const FAKE_TRUCKERSMP_PORT = Number(env.FAKE_TRUCKERSMP_PORT ?? 3091);
const useFakeTruckersMp = !env.TRUCKERSMP_API_BASE_URL;
// Without a Discord application the demo talks to the fake Discord (tools/fake-discord.ts): OAuth2, REST and the Gateway.
const FAKE_DISCORD_PORT = Number(env.FAKE_DISCORD_PORT ?? 3093);
const useFakeDiscord = !env.DISCORD_CLIENT_ID;
// Without a Twitch application the demo talks to the fake Twitch (tools/fake-twitch.ts): OAuth2, Helix and EventSub.
const FAKE_TWITCH_PORT = Number(env.FAKE_TWITCH_PORT ?? 3094);
const useFakeTwitch = !env.TWITCH_CLIENT_ID;
// Without Data API keys the demo talks to the fake YouTube (tools/fake-youtube.ts): a WebSub hub and the Data API with quota.
const FAKE_YOUTUBE_PORT = Number(env.FAKE_YOUTUBE_PORT ?? 3095);
const useFakeYouTube = !env.YOUTUBE_API_KEYS;
// A page with OpenGraph tags on loopback, so a demo link gains a preview offline (tools/demo-site.ts).
const DEMO_SITE_PORT = Number(env.DEMO_SITE_PORT ?? 3092);

const serviceEnv = {
  ...env,
  ...(useFakeSteam
    ? {
        STEAM_API_BASE_URL: `http://127.0.0.1:${FAKE_STEAM_PORT}`,
        STEAM_OPENID_URL: `http://127.0.0.1:${FAKE_STEAM_PORT}/openid/login`,
        STEAM_API_KEY: '0123456789ABCDEF0123456789ABCDEF',
        STEAM_RATE_LIMIT_PER_SECOND: '20',
      }
    : {}),
  ...(useFakeTruckersMp ? { TRUCKERSMP_API_BASE_URL: `http://127.0.0.1:${FAKE_TRUCKERSMP_PORT}/v2`, TRUCKERSMP_RATE_LIMIT_PER_SECOND: '20' } : {}),
  ...(useFakeDiscord
    ? {
        DISCORD_API_BASE_URL: `http://127.0.0.1:${FAKE_DISCORD_PORT}/api/v10`,
        DISCORD_AUTHORIZE_URL: `http://127.0.0.1:${FAKE_DISCORD_PORT}/oauth2/authorize`,
        DISCORD_OAUTH_BASE_URL: `http://127.0.0.1:${FAKE_DISCORD_PORT}/api`,
        DISCORD_CLIENT_ID: '1234560123453231555',
        DISCORD_CLIENT_SECRET: 'fake-discord-client-secret',
        DISCORD_REDIRECT_URI: `http://127.0.0.1:${env.FEED_API_PORT ?? 3000}/v2/accounts/discord/callback`,
        DISCORD_BOT_TOKEN: 'fake-discord-bot-token-0123456789abcdef',
        // The demo shows a game within seconds (production waits 30 s for a presence to settle).
        DISCORD_PRESENCE_DEBOUNCE_MS: env.DISCORD_PRESENCE_DEBOUNCE_MS ?? '2000',
      }
    : {}),
  ...(useFakeTwitch
    ? {
        TWITCH_API_BASE_URL: `http://127.0.0.1:${FAKE_TWITCH_PORT}/helix`,
        TWITCH_AUTH_BASE_URL: `http://127.0.0.1:${FAKE_TWITCH_PORT}/oauth2`,
        TWITCH_CLIENT_ID: 'fakeclientid0123456789abcdef',
        TWITCH_CLIENT_SECRET: 'fake-twitch-client-secret',
        TWITCH_REDIRECT_URI: `http://127.0.0.1:${env.FEED_API_PORT ?? 3000}/v2/accounts/twitch/callback`,
      }
    : {}),
  ...(useFakeYouTube
    ? {
        YOUTUBE_API_BASE_URL: `http://127.0.0.1:${FAKE_YOUTUBE_PORT}/youtube/v3`,
        YOUTUBE_HUB_URL: `http://127.0.0.1:${FAKE_YOUTUBE_PORT}/hub/subscribe`,
        YOUTUBE_API_KEYS: 'fake-youtube-api-key-0123456789',
      }
    : {}),
  // Platforms subscribe our ingest-gateway at this origin.
  WEBHOOK_PUBLIC_URL: env.WEBHOOK_PUBLIC_URL ?? `http://127.0.0.1:${env.INGEST_GATEWAY_PORT ?? 3001}`,
  NODE_ENV: env.NODE_ENV ?? 'development',
  // The demo's page server may be previewed although it is on loopback (never in production).
  ...((env.NODE_ENV ?? 'development') === 'production' ? {} : { LINK_PREVIEW_ALLOW_LIST: env.LINK_PREVIEW_ALLOW_LIST ?? `127.0.0.1:${DEMO_SITE_PORT}` }),
  DATABASE_URL,
  DATABASE_ADMIN_URL,
  REDIS_URL,
  KAFKA_BROKERS,
  // KafkaJS 2.2.4 schedules a negative timeout on Node >= 24; the warning is noise, not a fault.
  NODE_OPTIONS: [env.NODE_OPTIONS, '--disable-warning=TimeoutNegativeWarning', '--enable-source-maps'].filter(Boolean).join(' '),
};

function say(message) {
  process.stderr.write(`\x1b[1m[stack]\x1b[0m ${message}\n`);
}

function hostPort(url, defaultPort) {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}

function answers({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: serviceEnv, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

async function ensureInfra() {
  const postgres = hostPort(DATABASE_URL, 5432);
  if (!(await answers(postgres))) {
    throw new Error(`PostgreSQL does not answer at ${postgres.host}:${postgres.port}. Start it (or set DATABASE_URL) and retry.`);
  }
  const redis = hostPort(REDIS_URL, 6379);
  if (!(await answers(redis))) {
    const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
    if (!hasRedis) throw new Error(`Redis does not answer at ${redis.host}:${redis.port} and redis-server is not installed.`);
    mkdirSync(path.join(root, '.local', 'redis'), { recursive: true });
    say(`starting redis-server on ${redis.port}`);
    run('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      redis.host,
      '--port',
      String(redis.port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      path.join(root, '.local', 'redis'),
    ]);
    writeFileSync(path.join(runDir, 'redis.started'), String(redis.port));
  }
  let kafkaStarted = false;
  if (!(await answers(hostPort(`kafka://${KAFKA_BROKERS.split(',')[0]}`, 9092)))) {
    run('bash', [path.join(root, 'deploy/kafka/kafka.sh'), 'start']);
    kafkaStarted = true;
  }
  return { kafkaStarted };
}

async function prepare() {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const infra = await ensureInfra();
  run('node', ['tools/build.mjs']);
  run('node', ['dist/libs/persistence/src/cli/migrate.js']);
  run('node', ['dist/libs/messaging/src/cli/ensure-topics.js']);
  run('node', ['dist/libs/persistence/src/cli/seed.js']);
  return infra;
}

async function waitReady(services, child) {
  const deadline = Date.now() + Number(env.STACK_READY_TIMEOUT_MS ?? 60_000);
  const pending = new Set(services.map((s) => s.name));
  while (pending.size && Date.now() < deadline) {
    for (const service of services) {
      if (!pending.has(service.name)) continue;
      if (child?.(service.name) === 'exited') throw new Error(`${service.name} exited during start-up (see its log)`);
      try {
        const response = await fetch(`http://127.0.0.1:${service.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) pending.delete(service.name);
      } catch {
        // not listening yet
      }
    }
    if (pending.size) await sleep(300);
  }
  if (pending.size) throw new Error(`not ready within the timeout: ${[...pending].join(', ')}`);
}

const LEVEL_COLOR = { trace: 90, debug: 90, info: 0, warn: 33, error: 31, fatal: 31 };

/** JSON log line -> "12:00:01.123 info  feed-api  request GET /v2/feed 200 3.1ms". */
function pretty(service, line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return `\x1b[${service.color}m${service.name.padEnd(18)}\x1b[0m ${line}`;
  }
  const { time, level, msg, service: _s, context, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const fields = Object.entries(rest)
    .filter(([key]) => !['pid', 'hostname'].includes(key))
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join(' ');
  const color = LEVEL_COLOR[level] ?? 0;
  return `${clock} \x1b[${color}m${String(level).padEnd(5)}\x1b[0m \x1b[${service.color}m${service.name.padEnd(18)}\x1b[0m ${context ? `[${context}] ` : ''}${msg ?? ''} \x1b[90m${fields}\x1b[0m`;
}

function banner() {
  const feed = SERVICES[0].port;
  const ingest = SERVICES[1].port;
  say(`all services ready:
    feed-api           http://127.0.0.1:${feed}      (GET /v2/feed with a bearer token; API docs at /docs)
    ingest-gateway     http://127.0.0.1:${ingest}      (POST /v1/webhooks/minecraft/demo-minecraft)
    connector-workers  http://127.0.0.1:${SERVICES[2].port}/health/ready
    outbox-relay       http://127.0.0.1:${SERVICES[3].port}/health/ready
  Link previews: the demo web site on 127.0.0.1:${DEMO_SITE_PORT} (npm run -s internal:event -- --text 'http://127.0.0.1:${DEMO_SITE_PORT}/nether-guide')
  ${useFakeTwitch ? `Twitch: the fake Twitch on 127.0.0.1:${FAKE_TWITCH_PORT} (POST /_fake/notify sends an EventSub notification; set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET for a real application)\n  ` : ''}${useFakeYouTube ? `YouTube: the fake YouTube on 127.0.0.1:${FAKE_YOUTUBE_PORT} (POST /_fake/upload publishes a video, /_fake/live starts a stream; set YOUTUBE_API_KEYS for the real Data API)\n  ` : ''}${useFakeDiscord ? `Discord: the fake Discord on 127.0.0.1:${FAKE_DISCORD_PORT} (POST /_fake/presence plays a game; set DISCORD_CLIENT_ID and friends for a real application)\n  ` : ''}${useFakeSteam ? `Steam: the fake Steam Web API on 127.0.0.1:${FAKE_STEAM_PORT} (set STEAM_API_KEY to use the real one)\n  ` : ''}${useFakeTruckersMp ? `TruckersMP: the fake TruckersMP API on 127.0.0.1:${FAKE_TRUCKERSMP_PORT} (set TRUCKERSMP_API_BASE_URL=https://api.truckersmp.com/v2 for the real one)\n  ` : ''}Try it: see "Send the demo webhook" in README.md.`);
}

async function start() {
  const infra = await prepare();
  const children = new Map();
  let stopping = false;
  for (const service of [...FAKES, ...SERVICES]) {
    const child = spawn(process.execPath, [service.entry ?? `dist/apps/${service.name}/src/main.js`], {
      cwd: root,
      env: { ...serviceEnv, PORT: String(service.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(service.name, child);
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${pretty(service, line)}\n`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      child.exited = true;
      if (!stopping) {
        say(`${service.name} exited (${code ?? signal}); stopping the stack`);
        void shutdown(1);
      }
    });
  }

  async function shutdown(code) {
    if (stopping) return;
    stopping = true;
    say('stopping services');
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise((resolve) => {
            if (child.exited) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    if (infra.kafkaStarted) spawnSync('bash', [path.join(root, 'deploy/kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
    if (existsSync(path.join(runDir, 'redis.started'))) stopRedis();
    say('stopped');
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await waitReady(SERVICES, (name) => (children.get(name)?.exited ? 'exited' : 'running'));
    banner();
  } catch (error) {
    say(error.message);
    await shutdown(1);
  }
}

function stopRedis() {
  const port = readFileSync(path.join(runDir, 'redis.started'), 'utf8').trim();
  spawnSync('redis-cli', ['-p', port, 'shutdown', 'nosave'], { stdio: 'ignore' });
  rmSync(path.join(runDir, 'redis.started'), { force: true });
}

async function up() {
  const infra = await prepare();
  if (infra.kafkaStarted) writeFileSync(path.join(runDir, 'kafka.started'), 'stack:up');
  for (const service of [...FAKES, ...SERVICES]) {
    const pidFile = path.join(runDir, `${service.name}.pid`);
    if (existsSync(pidFile) && isAlive(Number(readFileSync(pidFile, 'utf8')))) {
      say(`${service.name} already running (pid ${readFileSync(pidFile, 'utf8').trim()})`);
      continue;
    }
    const log = openSync(path.join(logDir, `${service.name}.log`), 'a');
    const child = spawn(process.execPath, [service.entry ?? `dist/apps/${service.name}/src/main.js`], {
      cwd: root,
      env: { ...serviceEnv, PORT: String(service.port) },
      stdio: ['ignore', log, log],
      detached: true,
    });
    child.unref();
    writeFileSync(pidFile, String(child.pid));
    say(`${service.name} started (pid ${child.pid}, log .local/logs/${service.name}.log)`);
  }
  try {
    await waitReady(SERVICES, (name) => {
      const pid = Number(readFileSync(path.join(runDir, `${name}.pid`), 'utf8'));
      return isAlive(pid) ? 'running' : 'exited';
    });
  } catch (error) {
    say(error.message);
    await down();
    process.exit(1);
  }
  banner();
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function down() {
  for (const service of [...SERVICES, { name: 'fake-steam' }, { name: 'fake-truckersmp' }, { name: 'demo-site' }]) {
    const pidFile = path.join(runDir, `${service.name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (isAlive(pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      say(`${service.name} stopped`);
    }
    rmSync(pidFile, { force: true });
  }
  if (existsSync(path.join(runDir, 'kafka.started'))) {
    spawnSync('bash', [path.join(root, 'deploy/kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
    rmSync(path.join(runDir, 'kafka.started'), { force: true });
  }
  if (existsSync(path.join(runDir, 'redis.started'))) stopRedis();
}

const command = process.argv[2];
const commands = { start, up, down };
if (!commands[command]) {
  process.stderr.write('usage: node tools/stack.mjs start|up|down\n');
  process.exit(2);
}
commands[command]().catch((error) => {
  say(`failed: ${error.message}`);
  process.exit(1);
});
