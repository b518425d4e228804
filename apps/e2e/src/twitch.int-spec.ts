import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@activity/persistence';
import { FakeTwitchServer, ServiceProcess, serviceEnvironment, signTwitchEventSub, testEnvironment, waitFor } from '@activity/testing';
import { feedApiCaller } from './fixtures/feed-api-caller';

const BROADCASTER = '67955580';

/**
 * Twitch through the four services and the fake Twitch: a broadcaster linked before the tenant
 * has a source (clips arrive; the link says why nothing is subscribed), the source added and the
 * next sync subscribing (Twitch verifies the callback through ingest-gateway), notifications into the feed (redeliveries once), a revocation shown on the
 * link and healed by the next sync, bad signatures and stale timestamps refused, and unlinking
 * deleting the subscriptions.
 */
describe('Twitch, end to end', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `twitch-${run}`;
  const sourceId = `twitch_${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/twitch-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const base = environment.portBase + 200;
  const services: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  let twitch: FakeTwitchServer;
  let admin: DataSource;
  const call = feedApiCaller(() => feedApi.url, keyDir, { tenantId: tenant, user: 'steward' });

  const feed = async (types: string, locale = 'en') =>
    ((await call('GET', `/v2/feed?types=${types}`, { user: 'chewie', locale })).body.items as Array<{ type: string; summary: string; payload: Record<string, unknown> }>) ?? [];
  const enabled = () => [...twitch.subscriptions.values()].filter((subscription) => subscription.status === 'enabled');

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'] } }));
    twitch = await FakeTwitchServer.start();
    twitch.addUser({ id: BROADCASTER, login: 'chewiemelodies', display_name: 'ChewieMelodies' });
    twitch.addClip(BROADCASTER, { id: 'AwkwardHelplessSalamanderSwiftRage', title: 'babymetal', created_at: new Date(Date.now() - 3_600_000).toISOString() });
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'twitch-test' }).initialize();
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      ...twitch.settings(),
      WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${base + 1}`,
      OUTBOX_POLL_INTERVAL_MS: '200',
      MANUAL_SYNC_COOLDOWN_SECONDS: '1',
    };
    const stack = await ServiceProcess.startAll(base, env);
    ({ feedApi, gateway } = stack);
    services.push(...stack.all);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await admin?.destroy();
    await twitch?.stop();
  }, 60_000);

  let linkId: string;

  it('a broadcaster linked before the tenant has a Twitch source gets their clips, and the link says why nothing is subscribed', async () => {
    const linked = await call('POST', '/v2/accounts/twitch', { body: { account: 'https://www.twitch.tv/ChewieMelodies', userId: 'chewie' } });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'twitch', externalId: BROADCASTER, displayName: 'ChewieMelodies' });
    linkId = linked.body.id;
    await waitFor('the clip in the feed', async () => (await feed('twitch.clip.created')).length === 1, 20_000);
    expect((await feed('twitch.clip.created'))[0]!.summary).toBe('BlackNova03 clipped ChewieMelodies: *babymetal*');
    await waitFor(
      'the link names the missing source',
      async () => {
        const link = ((await call('GET', '/v2/accounts?userId=chewie')).body as Array<{ id: string; statusReason: string | null }>).find((candidate) => candidate.id === linkId);
        return Boolean(link?.statusReason?.includes('no active twitch webhook source'));
      },
      20_000,
    );
    expect(twitch.subscriptions.size).toBe(0);
  });

  it('once a tenant admin adds the source, the next sync subscribes to stream.online, stream.offline and channel.update, verified through ingest-gateway', async () => {
    const source = await call('POST', '/v2/webhook-sources', { body: { id: sourceId, name: 'Our Twitch EventSub', connector: 'twitch' } });
    expect(source.status).toBe(201);
    expect(source.body.secret).toMatch(/^[\x21-\x7e]{10,100}$/);
    expect((await call('POST', `/v2/accounts/${linkId}/sync`)).status).toBe(202);

    await waitFor('three enabled subscriptions', () => enabled().length === 3, 30_000);
    expect(
      enabled()
        .map((subscription) => subscription.type)
        .sort(),
    ).toEqual(['channel.update', 'stream.offline', 'stream.online']);
    expect(enabled().every((subscription) => subscription.transport.callback === `http://127.0.0.1:${base + 1}/v1/webhooks/twitch/${sourceId}`)).toBe(true);
    const verifications = twitch.deliveries.filter((delivery) => delivery.type === 'webhook_callback_verification');
    expect(verifications.every((delivery) => delivery.status === 200 && delivery.contentType?.startsWith('text/plain'))).toBe(true);
    const rows = await admin.query(`SELECT kind FROM upstream_subscriptions WHERE account_link_id = $1 ORDER BY kind`, [linkId]);
    expect(rows.map((row: { kind: string }) => row.kind)).toEqual(['channel.update', 'stream.offline', 'stream.online']);
    // The same clip again on this sync: stored once.
    expect(await feed('twitch.clip.created')).toHaveLength(1);
  });

  it('notifications reach the feed (a redelivery only once); the stream ends with its length; the channel’s title names the stream', async () => {
    await twitch.notify('channel.update', BROADCASTER, {
      broadcaster_user_id: BROADCASTER,
      broadcaster_user_login: 'chewiemelodies',
      broadcaster_user_name: 'ChewieMelodies',
      title: 'Piano covers',
      language: 'en',
      category_id: '26936',
      category_name: 'Music',
      content_classification_labels: [],
    });
    await waitFor('the channel update stored', async () => (await feed('twitch.channel.updated')).length === 1, 20_000);
    const [online] = await twitch.notify('stream.online', BROADCASTER, {
      id: '9001',
      broadcaster_user_id: BROADCASTER,
      broadcaster_user_login: 'chewiemelodies',
      broadcaster_user_name: 'ChewieMelodies',
      type: 'live',
      started_at: new Date(Date.now() - 90 * 60_000).toISOString(),
    });
    const again = await twitch.redeliver(online!);
    expect(again.status).toBe(202);
    await waitFor('the stream started', async () => (await feed('twitch.stream.started')).length === 1, 20_000);
    expect((await feed('twitch.stream.started'))[0]).toMatchObject({
      summary: 'ChewieMelodies went live on Twitch: *Piano covers*',
      payload: { title: 'Piano covers', category: 'Music' },
    });

    await twitch.notify('stream.offline', BROADCASTER, { broadcaster_user_id: BROADCASTER, broadcaster_user_login: 'chewiemelodies', broadcaster_user_name: 'ChewieMelodies' });
    await waitFor('the stream ended', async () => (await feed('twitch.stream.ended')).length === 1, 20_000);
    const [ended] = await feed('twitch.stream.ended', 'ru');
    expect(ended!.payload).toMatchObject({ length: 'known', durationMinutes: 90 });
    expect(ended!.summary).toBe('ChewieMelodies завершает трансляцию через 90 минут');
    expect((await feed('twitch.stream.started')).length).toBe(1);
  });

  it('refuses a bad signature with 403 and a stale timestamp, and answers a verification with the raw challenge', async () => {
    const body = JSON.stringify({ subscription: { id: 'x', type: 'stream.online', condition: { broadcaster_user_id: BROADCASTER } }, event: { broadcaster_user_id: BROADCASTER } });
    const post = (headers: Record<string, string>, text = body) =>
      fetch(`${gateway.url}/v1/webhooks/twitch/${sourceId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
    const headers = (id: string, timestamp: string, secret: string, type = 'notification', text = body) => ({
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-type': type,
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-message-signature': signTwitchEventSub(secret, id, timestamp, text),
    });
    expect((await post(headers('m-1', new Date().toISOString(), 'not-the-secret-at-all'))).status).toBe(403);
    // The fake kept the secret we subscribed with: the source's.
    const secret = [...twitch.subscriptions.values()][0]!.secret;
    const stale = await post(headers('m-2', new Date(Date.now() - 11 * 60_000).toISOString(), secret));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { code: string }).code).toBe('signature_expired');
    const challenge = JSON.stringify({
      challenge: 'pogchamp-kappa-360noscope-vohiyo',
      subscription: { id: 'y', type: 'stream.online', status: 'webhook_callback_verification_pending' },
    });
    const verified = await post(headers('m-3', new Date().toISOString(), secret, 'webhook_callback_verification', challenge), challenge);
    expect(verified.status).toBe(200);
    expect(verified.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await verified.text()).toBe('pogchamp-kappa-360noscope-vohiyo');
  });

  it('a revocation shows on the link; the next sync subscribes again', async () => {
    const online = enabled().find((subscription) => subscription.type === 'stream.online')!;
    const answer = await twitch.revoke(online.id, 'authorization_revoked');
    expect(answer.status).toBe(202);
    await waitFor(
      'the link says so',
      async () => {
        const link = ((await call('GET', '/v2/accounts?userId=chewie')).body as Array<{ id: string; statusReason: string | null }>).find((candidate) => candidate.id === linkId);
        return Boolean(link?.statusReason?.includes('stream.online subscription revoked'));
      },
      20_000,
    );
    const [row] = await admin.query(`SELECT status, reason FROM upstream_subscriptions WHERE account_link_id = $1 AND kind = 'stream.online'`, [linkId]);
    expect(row).toEqual({ status: 'revoked', reason: 'authorization_revoked' });

    // Manual syncs are once a second here (429 with Retry-After before that).
    await waitFor('a manual sync accepted', async () => (await call('POST', `/v2/accounts/${linkId}/sync`)).status === 202, 10_000);
    await waitFor('stream.online subscribed again', () => enabled().some((subscription) => subscription.type === 'stream.online' && subscription.id !== online.id), 20_000);
    await waitFor(
      'the row enabled again',
      async () => {
        const [healed] = await admin.query(`SELECT status FROM upstream_subscriptions WHERE account_link_id = $1 AND kind = 'stream.online'`, [linkId]);
        return healed?.status === 'enabled' || healed?.status === 'pending';
      },
      20_000,
    );
  });

  it('unlinking deletes the subscriptions at Twitch', async () => {
    expect((await call('DELETE', `/v2/accounts/${linkId}`)).status).toBe(204);
    await waitFor('no subscriptions left at Twitch', () => twitch.subscriptions.size === 0, 20_000);
    const rows = await admin.query(`SELECT kind FROM upstream_subscriptions WHERE account_link_id = $1`, [linkId]);
    expect(rows).toEqual([]);
  });
});
