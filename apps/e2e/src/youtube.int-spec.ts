import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@activity/persistence';
import { FakeYouTubeServer, ServiceProcess, serviceEnvironment, signWebSubSha1, testEnvironment, waitFor, youTubeEntryFeed, youTubeTopic } from '@activity/testing';
import { feedApiCaller } from './fixtures/feed-api-caller';

const CHANNEL = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';

/**
 * YouTube through the four services and the fake YouTube: a channel linked by handle, its WebSub
 * lease asked for by the link's sync and verified through ingest-gateway (another topic: 404),
 * uploads confirmed with the Data API into the feed (a renamed video updated in place, a forged
 * one ignored with 202, a deleted one withdrawn), a scheduled stream followed to live by sync,
 * the quota used up shown on the link and in metrics, and unlinking unsubscribing at the hub.
 */
describe('YouTube, end to end', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `youtube-${run}`;
  const sourceId = `youtube_${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/youtube-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const base = environment.portBase + 210;
  const services: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  let workers: ServiceProcess;
  let youtube: FakeYouTubeServer;
  let admin: DataSource;
  let secret: string;
  let linkId: string;
  const call = feedApiCaller(() => feedApi.url, keyDir, { tenantId: tenant, user: 'steward' });
  const intake = () => `${gateway.url}/v1/webhooks/youtube/${sourceId}`;

  const feed = async (types: string, locale = 'en') =>
    ((await call('GET', `/v2/feed?types=${types}`, { user: 'creator', locale })).body.items as Array<{
      id: string;
      type: string;
      summary: string;
      payload: Record<string, unknown>;
    }>) ?? [];
  const linkOf = async () => ((await call('GET', '/v2/accounts?userId=creator')).body as Array<{ id: string; statusReason: string | null }>).find((link) => link.id === linkId);
  const manualSync = () => waitFor('a manual sync accepted', async () => (await call('POST', `/v2/accounts/${linkId}/sync`)).status === 202, 10_000);

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'] } }));
    youtube = await FakeYouTubeServer.start();
    youtube.addChannel({ id: CHANNEL, title: 'Google for Developers', handle: '@googledevelopers' });
    // A key of this run only: the quota it spends (and exhausts) is counted in the shared Redis until midnight Pacific.
    youtube.apiKeys.clear();
    youtube.apiKeys.add(`fake-e2e-key-${run}-${process.pid}`.padEnd(24, '0'));
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'youtube-test' }).initialize();
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      ...youtube.settings(),
      WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${base + 1}`,
      OUTBOX_POLL_INTERVAL_MS: '200',
      MANUAL_SYNC_COOLDOWN_SECONDS: '1',
    };
    const stack = await ServiceProcess.startAll(base, env);
    ({ feedApi, gateway, workers } = stack);
    services.push(...stack.all);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await admin?.destroy();
    await youtube?.stop();
  }, 60_000);

  it('a channel linked by handle is subscribed at the hub by its sync; the hub’s verification through ingest-gateway confirms the lease', async () => {
    const source = await call('POST', '/v2/webhook-sources', { body: { id: sourceId, name: 'Our YouTube WebSub', connector: 'youtube' } });
    expect(source.status).toBe(201);
    secret = source.body.secret;
    const linked = await call('POST', '/v2/accounts/youtube', { body: { account: '@GoogleDevelopers', userId: 'creator' } });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'youtube', externalId: CHANNEL, displayName: 'Google for Developers' });
    linkId = linked.body.id;

    await waitFor('the lease granted', () => Boolean(youtube.leaseOf(CHANNEL, `http://127.0.0.1:${base + 1}/v1/webhooks/youtube/${sourceId}`)), 30_000);
    expect(youtube.verifications).toEqual([expect.objectContaining({ mode: 'subscribe', status: 200, verified: true })]);
    expect(youtube.requests.find((request) => request.path === '/hub/subscribe')?.form).toMatchObject({ 'hub.secret': secret, 'hub.lease_seconds': '432000' });
    await waitFor(
      'the subscription stored as enabled, with its lease',
      async () => {
        const [row] = await admin.query(`SELECT upstream_id, status, expires_at FROM upstream_subscriptions WHERE account_link_id = $1`, [linkId]);
        return row?.status === 'enabled' && row.upstream_id === youTubeTopic(CHANNEL) && new Date(row.expires_at).getTime() > Date.now() + 431_000_000;
      },
      20_000,
    );
  });

  it('answers the hub’s GET with the challenge as text only for our topic: another topic is 404', async () => {
    const ours = await fetch(`${intake()}?hub.mode=subscribe&hub.topic=${encodeURIComponent(youTubeTopic(CHANNEL))}&hub.challenge=abc&hub.lease_seconds=432000`);
    expect(ours.status).toBe(200);
    expect(ours.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ours.text()).toBe('abc');
    const other = await fetch(`${intake()}?hub.mode=subscribe&hub.topic=${encodeURIComponent(youTubeTopic('UC' + 'q'.repeat(22)))}&hub.challenge=abc`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('abc');
  });

  it('an upload reaches the feed once; renamed, the same item takes the new title; a forged notification is answered 202 and ignored', async () => {
    youtube.addVideo({ id: 'upload00001', channelId: CHANNEL, title: 'Building agents', publishedAt: new Date(Date.now() - 60_000).toISOString() });
    const forged = youTubeEntryFeed({ id: 'forged00001', channelId: CHANNEL, title: 'Free gift cards', publishedAt: new Date().toISOString() }, 'Google for Developers');
    youtube.addVideo({ id: 'forged00001', channelId: CHANNEL, title: 'Free gift cards', publishedAt: new Date().toISOString() });
    const [answer] = await youtube.notify(CHANNEL, forged, signWebSubSha1('not-the-source-secret', forged));
    expect(answer!.status).toBe(202);
    const [sent] = await youtube.publish('upload00001');
    expect(sent!.status).toBe(202);
    // The same notification again (the hub retrying): one item.
    await youtube.publish('upload00001');
    await waitFor('the upload in the feed', async () => (await feed('youtube.video.published')).length === 1, 20_000);
    const [item] = await feed('youtube.video.published');
    expect(item!.summary).toBe('Google for Developers published *Building agents* on YouTube');
    // Notifications of one channel are handled in order: the forged one, sent first, would be here by now.
    expect((await feed('youtube.video.published')).map((event) => event.payload['videoId'])).toEqual(['upload00001']);

    youtube.videos.get('upload00001')!.title = 'Building agents with Gemini';
    await youtube.publish('upload00001');
    await waitFor(
      'the title updated in place',
      async () => (await feed('youtube.video.published', 'ru'))[0]?.summary === 'Google for Developers публикует на YouTube *Building agents with Gemini*',
      20_000,
    );
    const items = await feed('youtube.video.published');
    expect(items).toHaveLength(1);
    expect(items[0]!.id).toBe(item!.id);
  });

  it('a deleted video (tombstone) is withdrawn from the feed', async () => {
    youtube.addVideo({ id: 'deleteme001', channelId: CHANNEL, title: 'Oops', publishedAt: new Date().toISOString() });
    await youtube.publish('deleteme001');
    await waitFor('the video in the feed', async () => (await feed('youtube.video.published')).some((event) => event.payload['videoId'] === 'deleteme001'), 20_000);
    const [sent] = await youtube.tombstone('deleteme001');
    expect(sent!.status).toBe(202);
    await waitFor('the video withdrawn', async () => !(await feed('youtube.video.published')).some((event) => event.payload['videoId'] === 'deleteme001'), 20_000);
    expect((await feed('youtube.video.published')).map((event) => event.payload['videoId'])).toEqual(['upload00001']);
  });

  it('a scheduled stream is announced, and the next sync sees it go live', async () => {
    youtube.addVideo({
      id: 'premiere001',
      channelId: CHANNEL,
      title: 'Launch stream',
      publishedAt: new Date().toISOString(),
      live: { scheduledStartTime: new Date(Date.now() + 3_600_000).toISOString() },
    });
    await youtube.publish('premiere001');
    await waitFor('the stream scheduled', async () => (await feed('youtube.stream.scheduled')).length === 1, 20_000);
    expect((await feed('youtube.stream.scheduled'))[0]!.summary).toBe('Google for Developers scheduled a YouTube stream: *Launch stream*');

    youtube.videos.get('premiere001')!.live = { scheduledStartTime: new Date().toISOString(), actualStartTime: new Date(Date.now() - 30 * 60_000).toISOString() };
    await manualSync();
    await waitFor('the stream started', async () => (await feed('youtube.stream.started')).length === 1, 20_000);
    expect((await feed('youtube.stream.started', 'ru'))[0]!.summary).toBe('Google for Developers начинает трансляцию на YouTube: *Launch stream*');
  });

  it('with the Data API quota used up, the link says until when and the metrics show it; nothing more is asked of Google', async () => {
    youtube.unitsPerDay = [...youtube.usage.values()][0]!.units;
    await manualSync();
    await waitFor('the link names the quota', async () => Boolean((await linkOf())?.statusReason?.includes('quota is used up until')), 20_000);
    const metrics = await (await fetch(`${workers.url}/metrics`)).text();
    expect(metrics).toMatch(/youtube_quota_exhausted\{key="[0-9a-f]{8}"\} 1/);
    const asked = youtube.requests.filter((request) => request.path.startsWith('/youtube/v3')).length;
    await manualSync();
    await waitFor(
      'the second sync recorded',
      async () => {
        const [run] = await admin.query(`SELECT count(*)::int AS n FROM sync_runs WHERE account_link_id = $1 AND status = 'failed'`, [linkId]);
        return run.n >= 2;
      },
      20_000,
    );
    expect(youtube.requests.filter((request) => request.path.startsWith('/youtube/v3')).length).toBe(asked);
  });

  it('unlinking unsubscribes at the hub, which our intake confirms', async () => {
    expect((await call('DELETE', `/v2/accounts/${linkId}`)).status).toBe(204);
    await waitFor('the lease gone', () => !youtube.leaseOf(CHANNEL), 20_000);
    expect(youtube.verifications.at(-1)).toMatchObject({ mode: 'unsubscribe', verified: true });
    await waitFor('no subscription rows left', async () => (await admin.query(`SELECT 1 FROM upstream_subscriptions WHERE account_link_id = $1`, [linkId])).length === 0, 20_000);
  });
});
