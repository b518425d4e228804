import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { KafkaProbe, Topic } from '@activity/messaging';
import { createDataSource, SeedData } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';
import { signArcade } from './fixtures/arcade/arcade.connector';

/**
 * The connector SDK's promise: a connector defined only in a folder outside the platform
 * (apps/e2e/src/fixtures/arcade, registered through CONNECTOR_PLUGINS) is served end to end —
 * its handshakes, signed intake, webhook.received, a feed item with its localised summary, its
 * type accepted by feed filters and listed in /openapi.json and /asyncapi.json.
 */
describe('a connector registered from a fixture folder', () => {
  const environment = testEnvironment();
  const tenant = `plugin-${Date.now().toString(36)}`;
  const sourceId = `arcade-${tenant}`;
  const secret = 'arcade-signing-secret-0123456789';
  const keyDir = `.local/test-keys-${process.pid}`;
  const encryptionKey = Buffer.alloc(32, 7).toString('base64');
  const env = {
    ...serviceEnvironment(environment),
    JWT_DEV_KEY_DIR: keyDir,
    SECRETS_ENCRYPTION_KEY: encryptionKey,
    SECRETS_ENCRYPTION_KEY_ID: 'plugin',
    // The build compiles the fixture next to the services; nothing else in the repository names it.
    CONNECTOR_PLUGINS: path.join(process.cwd(), 'dist/apps/e2e/src/fixtures/arcade/arcade.connector.js'),
    ARCADE_MAX_SCORE: '100000',
  };
  const services: ServiceProcess[] = [];
  let dataSource: DataSource;
  let probe: KafkaProbe;
  let gateway: ServiceProcess;
  let feedApi: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'plugin-test' }).initialize();
    const seed = new SeedData(dataSource, { keyId: 'plugin', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'arcade', sourceId, name: 'Arcade cabinet' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'carol', provider: 'arcade', externalId: 'player-7' });
    probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}${Topic.WebhookReceived}`]);
    const stack = await ServiceProcess.startAll(environment.portBase, env);
    ({ gateway, feedApi } = stack);
    services.push(...stack.all);
    token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'carol', issuer: 'activity-dev', audience: 'activity-service' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await probe?.stop();
    await dataSource?.destroy();
  }, 60_000);

  function post(body: string, headers: Record<string, string>) {
    return fetch(`${gateway.url}/v1/webhooks/arcade/${sourceId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }

  function signed(body: string, extra: Record<string, string> = {}, signingSecret = secret) {
    const id = `arc_${randomUUID()}`;
    const timestamp = new Date().toISOString();
    return { id, headers: { 'x-arcade-id': id, 'x-arcade-timestamp': timestamp, 'x-arcade-signature': signArcade(signingSecret, id, timestamp, body), ...extra } };
  }

  it('answers its handshakes: a GET challenge echoed as text/plain, a signed PING with an empty 204, an unsigned one with 401', async () => {
    const challenge = await fetch(`${gateway.url}/v1/webhooks/arcade/${sourceId}?challenge=pogchamp-42`);
    expect(challenge.status).toBe(200);
    expect(challenge.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await challenge.text()).toBe('pogchamp-42');

    const ping = signed('{}', { 'x-arcade-type': 'ping' });
    const pong = await post('{}', ping.headers);
    expect(pong.status).toBe(204);
    expect(await pong.text()).toBe('');

    const forged = signed('{}', { 'x-arcade-type': 'ping' }, 'not-the-secret-at-all');
    expect((await post('{}', forged.headers)).status).toBe(401);
  });

  it('turns a signed delivery into webhook.received and a feed item with its English and Russian summary', async () => {
    const body = JSON.stringify({ player: { id: 'player-7', name: 'carol_a' }, game: 'Space Duel', score: 9001, postedAt: new Date().toISOString() });
    const delivery = signed(body);
    const accepted = await post(body, delivery.headers);
    expect(accepted.status).toBe(202);

    const message = await probe.waitForMessage('the delivery on webhook.received', (m) => (m.data as { deliveryId?: string } | undefined)?.deliveryId === delivery.id);
    expect(message.data).toMatchObject({ connector: 'arcade', sourceId, body: { score: 9001 } });

    const read = async (language: string) => {
      const response = await fetch(`${feedApi.url}/v2/feed?types=arcade.score.posted`, { headers: { authorization: `Bearer ${token}`, 'accept-language': language } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: Array<{ type: string; summary: string }> }).items;
    };
    await waitFor('the score in carol’s feed', async () => (await read('en')).length === 1);
    expect(await read('en')).toEqual([expect.objectContaining({ type: 'arcade.score.posted', summary: 'carol_a scored 9,001 points in Space Duel' })]);
    // The plugin's own catalogue, merged at start; Russian plural rules decline the count (9 001 очко).
    expect((await read('ru'))[0]?.summary).toBe('carol_a: 9\u00a0001 очко в Space Duel');
  });

  it('applies its own validated settings: a score above ARCADE_MAX_SCORE is a 400 and is not published', async () => {
    const body = JSON.stringify({ player: { id: 'player-7', name: 'carol_a' }, game: 'Space Duel', score: 100001, postedAt: new Date().toISOString() });
    const response = await post(body, { ...signed(body).headers, 'accept-language': 'ru' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'score', message: 'нужны player, game, score (не больше 100000) и postedAt' }] });
  });

  it('lists its type in the feed filters, /openapi.json and /asyncapi.json, and the filter still refuses unknown types', async () => {
    const unknown = await fetch(`${feedApi.url}/v2/feed?types=arcade.score.deleted`, { headers: { authorization: `Bearer ${token}` } });
    expect(unknown.status).toBe(400);

    const openApi = (await (await fetch(`${feedApi.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema?: { items?: { enum?: string[] } } }> }>>;
    };
    const types = openApi.paths['/v2/feed']!['get']!.parameters!.find((parameter) => parameter.name === 'types')!;
    expect(types.schema!.items!.enum).toEqual(expect.arrayContaining(['arcade.score.posted', 'minecraft.player.joined', 'steam.game.played']));

    const asyncApi = (await (await fetch(`${feedApi.url}/asyncapi.json`)).json()) as {
      components: { schemas: Record<string, { required?: string[]; 'x-summary'?: unknown; anyOf?: Array<{ enum?: string[] }> }> };
    };
    expect(asyncApi.components.schemas['arcade.score.posted']).toMatchObject({ required: ['player', 'game', 'score', 'postedAt'], description: 'A player posted a high score' });
    expect(asyncApi.components.schemas['ActivityEventType']!.anyOf![0]!.enum).toContain('arcade.score.posted');
  });
});
