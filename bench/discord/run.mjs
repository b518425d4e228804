// bench/discord: what Discord costs us per message, without Discord.
//   node bench/discord/run.mjs [--presences 20000] [--deliveries 5000]
// 1. Gateway: one shard (DiscordGatewaySession + PresenceSessions, debounce 0) reads --presences
//    PRESENCE_UPDATE frames from the fake Discord Gateway over a real WebSocket, half starting a
//    game and half ending it; prints frames/s and the time until every game event reached the sink.
//    The fake sends from the same process, so the rate is a floor.
// 2. Webhooks: verifies --deliveries signed APPLICATION_AUTHORIZED events (Ed25519 over timestamp +
//    body) and, for scale, as many Standard Webhooks HMAC signatures; prints µs per delivery.
// Needs a build (npm run build).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from '../bench-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const pino = require('pino');
const { FakeDiscordServer, signDiscordWebhook, DISCORD_TEST_PUBLIC_KEY_HEX } = require(path.join(root, 'dist/libs/testing/src/fake-discord-server.js'));
const { DiscordGateway } = require(path.join(root, 'dist/libs/connectors/src/discord/discord-gateway.js'));
const { DiscordWebhooks } = require(path.join(root, 'dist/libs/connectors/src/discord/discord-webhooks.js'));
const { DiscordRateLimits } = require(path.join(root, 'dist/libs/connectors/src/discord/discord-rate-limits.js'));
const { DiscordRestClient } = require(path.join(root, 'dist/libs/connectors/src/discord/discord-rest-client.js'));
const { LocalSharedState, LocalTokenBucket } = require(path.join(root, 'dist/libs/resilience/src/index.js'));
const { signStandardWebhook, verifyStandardWebhook } = require(path.join(root, 'dist/libs/connector-sdk/src/index.js'));

const presences = numberArg('presences', 20_000);
const deliveries = numberArg('deliveries', 5_000);
const logger = pino({ level: 'silent' });

async function gateway() {
  const fake = await FakeDiscordServer.start();
  const limits = new DiscordRateLimits(new LocalSharedState(), new LocalTokenBucket(50, 50), new LocalTokenBucket(50, 50), { maxWaitMs: 5_000, invalidRequestBrake: 1_000 });
  const rest = new DiscordRestClient({ baseUrl: fake.apiBaseUrl, timeoutMs: 5_000, maxAttempts: 1 }, limits, logger);
  const shard = new DiscordGateway({ botToken: fake.botToken, url: fake.gatewayUrl, shardCount: 1, debounceMs: 0, flushIntervalMs: 20 }, rest, logger);
  let events = 0;
  let sessionReady;
  const ready = new Promise((resolve) => (sessionReady = resolve));
  const sink = {
    emit: async () => undefined,
    emitToLinked: async (_provider, batch) => {
      events += batch.length;
    },
    saveState: async (state) => {
      if (state.sessionId) sessionReady();
    },
  };
  const controller = new AbortController();
  const running = shard.run({ id: 0, count: 1 }, {}, sink, controller.signal);
  await ready;
  const users = presences / 2;
  const started = process.hrtime.bigint();
  for (let i = 0; i < users; i += 1) fake.sendPresence({ userId: String(10_000_000_000_000_000n + BigInt(i)), game: `Game ${i % 50}`, startedAt: Date.now() - 60_000 });
  while (events < users) await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < users; i += 1) fake.sendPresence({ userId: String(10_000_000_000_000_000n + BigInt(i)), game: null });
  while (events < presences) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  controller.abort();
  await running;
  await fake.stop();
  return { frames: presences, seconds, perSecond: presences / seconds, events };
}

function webhooks() {
  const scheme = new DiscordWebhooks();
  const secret = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';
  const timestamp = String(Math.floor(Date.now() / 1000));
  const bodies = Array.from({ length: deliveries }, (_, i) =>
    JSON.stringify({
      version: 1,
      application_id: '1234560123453231555',
      type: 1,
      event: {
        type: 'APPLICATION_AUTHORIZED',
        timestamp: new Date().toISOString().replace('Z', ''),
        data: { scopes: ['identify'], user: { id: String(80351110224678912n + BigInt(i)), username: `u${i}` } },
      },
    }),
  );
  const discord = bodies.map((body) => ({
    method: 'POST',
    query: {},
    body: Buffer.from(body),
    headers: { 'x-signature-ed25519': signDiscordWebhook(body, timestamp), 'x-signature-timestamp': timestamp },
  }));
  const standard = bodies.map((body, i) => ({ body: Buffer.from(body), id: `msg_${i}`, signature: signStandardWebhook(secret, `msg_${i}`, Number(timestamp), Buffer.from(body)) }));
  let started = process.hrtime.bigint();
  for (const request of discord) scheme.verify(request, [DISCORD_TEST_PUBLIC_KEY_HEX]);
  const ed25519 = Number(process.hrtime.bigint() - started) / 1e3 / deliveries;
  started = process.hrtime.bigint();
  for (const request of standard) verifyStandardWebhook({ id: request.id, timestamp, signature: request.signature }, request.body, [secret]);
  const hmac = Number(process.hrtime.bigint() - started) / 1e3 / deliveries;
  return { ed25519, hmac };
}

const gw = await gateway();
const hooks = webhooks();
console.log(
  `Discord Gateway, one shard: ${gw.frames} PRESENCE_UPDATE frames in ${gw.seconds.toFixed(2)} s = ${Math.round(gw.perSecond)} frames/s (${gw.events} game events to the sink)`,
);
console.log(
  `Webhook verification per delivery: Ed25519 (Discord) ${hooks.ed25519.toFixed(1)} µs, HMAC-SHA256 (Standard Webhooks) ${hooks.hmac.toFixed(1)} µs, ratio ${(hooks.ed25519 / hooks.hmac).toFixed(1)}x`,
);
