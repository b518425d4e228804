import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { createDataSource } from '@activity/persistence';
import { FakeSteamServer, FakeTruckersMpServer, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';
import { KafkaProbe, type CapturedMessage } from '@activity/messaging';

/**
 * Account linking and Steam sync through the real services: feed-api, outbox-relay and two
 * connector-workers processes, real Kafka, Postgres and Redis, and the fake Steam Web API.
 */
describe('Steam linking and sync', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `sync-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/sync-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const RATE = 100;
  const BURST = 20;
  let fake: FakeSteamServer;
  let truckersMp: FakeTruckersMpServer;
  let admin: DataSource;
  let probe: KafkaProbe;
  let feedApi: ServiceProcess;
  const services: ServiceProcess[] = [];

  const steamId = (n: number) => `7656119${String(8_000_000_000 + n).padStart(10, '0')}`;

  async function call(method: string, path: string, user: string, body?: unknown) {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: user, issuer: 'activity-dev', audience: 'activity-service' });
    const response = await fetch(`${feedApi.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  const linkOf = (m: CapturedMessage) => (m.data as { accountLinkId?: string } | undefined)?.accountLinkId;
  const runsOf = async (linkId: string) =>
    (await admin.query(`SELECT status, events_created, error FROM sync_runs WHERE account_link_id = $1 ORDER BY started_at`, [linkId])) as Array<{
      status: string;
      events_created: number;
      error: string | null;
    }>;

  beforeAll(async () => {
    fake = await FakeSteamServer.start();
    fake.addFixturePlayer(steamId(1));
    fake.vanity.set(`robin-${run}`, steamId(1));
    // robin's Steam account is bound to a TruckersMP account.
    truckersMp = await FakeTruckersMpServer.start();
    truckersMp.addFixturePlayer(1287455, steamId(1));
    truckersMp.addFixturePlayer(2000001, steamId(900));
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'sync-test' }).initialize();
    probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}sync.completed`, `${environment.topicPrefix}account.linked`]);
    // A tenant admin links typed ids for players; players themselves sign in through Steam.
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'] } }));
    const env = {
      ...serviceEnvironment(environment),
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      JWT_DEV_KEY_DIR: keyDir,
      STEAM_API_BASE_URL: fake.url,
      STEAM_API_KEY: fake.apiKey,
      STEAM_OPENID_URL: `${fake.url}/openid/login`,
      STEAM_RATE_LIMIT_PER_SECOND: String(RATE),
      TRUCKERSMP_API_BASE_URL: truckersMp.apiBaseUrl,
      TRUCKERSMP_RATE_LIMIT_PER_SECOND: '50',
      TRUCKERSMP_USER_AGENT: 'activity-service-tests/1.0 (sync.int-spec)',
      STEAM_RATE_LIMIT_BURST: String(BURST),
      STEAM_TIMEOUT_MS: '1000',
      SYNC_SCHEDULER_TICK_MS: '300',
      MANUAL_SYNC_COOLDOWN_SECONDS: '2',
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    const base = environment.portBase + 40;
    feedApi = await ServiceProcess.start('feed-api', base, env);
    services.push(
      feedApi,
      ...(await Promise.all([
        ServiceProcess.start('outbox-relay', base + 1, env),
        ServiceProcess.start('connector-workers', base + 2, env),
        ServiceProcess.start('connector-workers', base + 3, env),
      ])),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await probe?.stop();
    await admin?.destroy();
    await fake?.stop();
    await truckersMp?.stop();
  }, 60_000);

  let linkId: string;

  it('links by custom URL name; the first sync fills the feed and announces sync.completed', async () => {
    const linked = await call('POST', '/v2/accounts/steam', 'steward', { account: `https://steamcommunity.com/id/robin-${run}/`, userId: 'robin' });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'steam', externalId: steamId(1), displayName: 'Robin', status: 'active' });
    linkId = linked.body.id;
    const announced = await probe.waitForMessage('account.linked', (m) => m.topic.endsWith('account.linked') && linkOf(m) === linkId);
    expect(JSON.parse(announced.value)).toMatchObject({ status: 'active', provider: 'steam', userId: 'robin' });
    await waitFor('the first sync', async () => (await runsOf(linkId)).some((r) => r.status === 'succeeded'), 30_000);
    expect((await runsOf(linkId))[0]).toMatchObject({ status: 'succeeded', events_created: 2 });
    const feed = await call('GET', '/v2/feed?types=steam.achievement.unlocked', 'robin');
    expect(feed.body.items.map((i: { summary: string }) => i.summary)).toEqual(['Robin unlocked *Head of the Class* in Team Fortress 2']);
    const completed = await probe.waitForMessage('sync.completed', (m) => m.topic.endsWith('sync.completed') && linkOf(m) === linkId);
    expect(JSON.parse(completed.value)).toMatchObject({ status: 'succeeded', eventsCreated: 2, connector: 'steam' });
    expect((await call('GET', `/v2/accounts/${linkId}/sync-runs`, 'robin')).body[0]).toMatchObject({ status: 'succeeded', eventsCreated: 2, apiCalls: 4, trigger: 'linked' });
  });

  it('refuses a second link of the same Steam account in the tenant, and input it cannot resolve', async () => {
    expect((await call('POST', '/v2/accounts/steam', 'steward', { account: steamId(1), userId: 'someone-else' })).body).toMatchObject({
      status: 409,
      code: 'account_already_linked',
    });
    const unknown = await call('POST', '/v2/accounts/steam', 'steward', { account: 'no-such-vanity-name', userId: 'robin' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'account' });
  });

  it('a player links Steam only by signing in through Steam; a replayed or forged sign-in links nothing', async () => {
    fake.addFixturePlayer(steamId(4));
    // A typed id proves nothing: only tenant admins may link one.
    expect((await call('POST', '/v2/accounts/steam', 'gamer', { account: steamId(4), userId: 'gamer' })).status).toBe(403);
    const started = await call('POST', '/v2/accounts/steam/openid', 'gamer');
    expect(started.status).toBe(200);
    const signIn = new URL(started.body.redirectUrl);
    expect(signIn.origin).toBe(fake.url);
    expect(signIn.searchParams.get('openid.mode')).toBe('checkid_setup');
    // The player signs in on (fake) Steam, which redirects the browser back with a signed assertion.
    signIn.searchParams.set('steamid', steamId(4));
    const redirect = await fetch(signIn, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const callback = redirect.headers.get('location')!;
    expect(callback.startsWith(`${feedApi.url}/v2/accounts/steam/openid/callback?state=`)).toBe(true);
    const done = await fetch(callback);
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ provider: 'steam', externalId: steamId(4), status: 'active' });
    expect((await call('GET', '/v2/accounts', 'gamer')).body).toEqual([expect.objectContaining({ provider: 'steam', externalId: steamId(4) })]);
    // The same redirect again: the state was used up.
    const replay = await fetch(callback, { headers: { 'accept-language': 'ru' } });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('content-type')).toContain('application/problem+json');
    // A forged assertion for someone else's account under a fresh state: Steam does not confirm it.
    const another = new URL((await call('POST', '/v2/accounts/steam/openid', 'mallory')).body.redirectUrl);
    const returnTo = another.searchParams.get('openid.return_to')!;
    const forged = new URL(returnTo);
    const identity = `https://steamcommunity.com/openid/id/${steamId(5)}`;
    for (const [name, value] of Object.entries({
      'openid.ns': 'http://specs.openid.net/auth/2.0',
      'openid.mode': 'id_res',
      'openid.op_endpoint': 'https://steamcommunity.com/openid/login',
      'openid.claimed_id': identity,
      'openid.identity': identity,
      'openid.return_to': returnTo,
      'openid.response_nonce': '2026-11-27T00:00:00Zabc',
      'openid.assoc_handle': '1234567890',
      'openid.signed': 'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle',
      'openid.sig': 'Zm9yZ2Vk',
    }))
      forged.searchParams.set(name, value);
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: Array<{ field: string }> }).errors[0]!.field).toBe('openid');
    expect((await call('GET', '/v2/accounts', 'mallory')).body).toEqual([]);
  });

  it('a manual re-sync of unchanged data creates nothing; it is rate limited; a new achievement then appears', async () => {
    expect((await call('POST', `/v2/accounts/${linkId}/sync`, 'robin')).status).toBe(202);
    const limited = await call('POST', `/v2/accounts/${linkId}/sync`, 'robin');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await waitFor('the manual sync', async () => (await runsOf(linkId)).length === 2 && (await runsOf(linkId))[1]!.status !== 'running', 30_000);
    expect((await runsOf(linkId))[1]).toMatchObject({ status: 'succeeded', events_created: 0 });

    const player = fake.players.get(steamId(1))!;
    player.achievements[440]!.list[1] = { ...player.achievements[440]!.list[1]!, achieved: 1, unlocktime: Math.floor(Date.now() / 1000) };
    // A 429 storm on the way: the client waits as asked and nothing is lost.
    fake.fail429 = 3;
    fake.retryAfterSeconds = 1;
    // Asked again until the manual-sync limit lets it through (the 429 said when).
    await waitFor('the manual sync limit to lift', async () => ((await call('POST', `/v2/accounts/${linkId}/sync`, 'robin')).status === 202 ? true : undefined), 30_000, 250);
    await waitFor('the new achievement', async () => (await call('GET', '/v2/feed?types=steam.achievement.unlocked', 'robin')).body.items.length === 2, 30_000);
    expect((await runsOf(linkId))[2]).toMatchObject({ status: 'succeeded', events_created: 1 });
  });

  it('shows a private profile as the link status, not as failures', async () => {
    const player = fake.addFixturePlayer(steamId(2));
    player.summary.communityvisibilitystate = 1;
    const linked = await call('POST', '/v2/accounts/steam', 'steward', { account: steamId(2), userId: 'shy' });
    expect(linked.status).toBe(201);
    await waitFor('the link to be marked private', async () => ((await call('GET', '/v2/accounts', 'shy')).body[0]?.status === 'private' ? true : undefined), 30_000);
    expect((await call('GET', '/v2/accounts', 'shy')).body[0].statusReason).toMatch(/not public/);
    expect(await runsOf(linked.body.id)).toEqual([{ status: 'succeeded', events_created: 0, error: null }]);
  });

  it('a link revoked while its sync is in flight keeps nothing from that sync', async () => {
    fake.addFixturePlayer(steamId(3));
    fake.latencyMs = 700;
    try {
      const linked = await call('POST', '/v2/accounts/steam', 'steward', { account: steamId(3), userId: 'quitter' });
      const id = linked.body.id;
      await waitFor('the sync to be running', async () => (await runsOf(id)).some((r) => r.status === 'running'), 30_000, 20);
      expect((await call('DELETE', `/v2/accounts/${id}`, 'quitter')).status).toBe(204);
      await waitFor('the run to end', async () => (await runsOf(id)).every((r) => r.status !== 'running'), 30_000);
      expect(await runsOf(id)).toEqual([{ status: 'skipped', events_created: 0, error: 'revoked during sync' }]);
      expect((await call('GET', '/v2/feed', 'quitter')).body.items).toEqual([]);
      expect((await call('GET', '/v2/accounts', 'quitter')).body).toEqual([]);
      const revoked = await probe.waitForMessage(
        'account.linked revoked',
        (m) => m.topic.endsWith('account.linked') && linkOf(m) === id && (m.data as { status?: string }).status === 'revoked',
      );
      expect(revoked).toBeDefined();
    } finally {
      fake.latencyMs = 0;
    }
  });

  it('two worker processes share 200 links: each synced once, never concurrently, within the rate limit, profiles fetched in shared calls', async () => {
    for (let n = 100; n < 300; n += 1) fake.addFixturePlayer(steamId(n));
    fake.resetCounters();
    await admin.query(
      `INSERT INTO account_links (tenant_id, user_id, provider, external_id, display_name)
       SELECT $1, 'bulk-' || g, 'steam', '7656119' || lpad((8000000000 + g)::text, 10, '0'), 'bulk'
         FROM generate_series(100, 299) g`,
      [`${tenant}-bulk`],
    );
    await waitFor(
      '200 links synced',
      async () => {
        const [{ done }] = await admin.query(`SELECT count(DISTINCT r.account_link_id)::int AS done FROM sync_runs r WHERE r.tenant_id = $1 AND r.status = 'succeeded'`, [
          `${tenant}-bulk`,
        ]);
        return done === 200;
      },
      90_000,
      250,
    );
    const [{ runs, overlapping }] = await admin.query(
      `SELECT count(*)::int AS runs,
              (SELECT count(*)::int FROM sync_runs a JOIN sync_runs b ON a.account_link_id = b.account_link_id AND a.id <> b.id
                 AND a.started_at < b.finished_at AND b.started_at < a.finished_at WHERE a.tenant_id = $1) AS overlapping
         FROM sync_runs WHERE tenant_id = $1`,
      [`${tenant}-bulk`],
    );
    expect(runs).toBe(200);
    expect(overlapping).toBe(0);
    // Both workers took part (the consumer group split the partitions).
    const perWorker = await Promise.all(
      services
        .slice(2)
        .map(async (worker) => Number(/^sync_runs_total\{connector="steam",outcome="succeeded"\} (\d+)/m.exec(await (await fetch(`${worker.url}/metrics`)).text())?.[1] ?? 0)),
    );
    expect(perWorker.every((count) => count > 0)).toBe(true);
    // The shared token bucket held both workers together to the configured rate. Sustained: the rate
    // over the run stays at RATE (two unshared buckets would sustain twice it). Peak: at most
    // BURST + RATE admissions in any second, counted here by arrival, which lags admission by up to a
    // few hundred ms on a busy box with dozens of syncs waiting (RATE / 4 more in one wall-clock second).
    expect(fake.sustainedPerSecond).toBeLessThanOrEqual(RATE * 1.1);
    expect(fake.peakPerSecond).toBeLessThanOrEqual(RATE + BURST + RATE / 4);
    expect(fake.byMethod.get('IPlayerService/GetOwnedGames')).toBeGreaterThanOrEqual(200);
    // Syncs handled together share their profile lookups: GetPlayerSummaries carries several SteamIDs per call.
    expect(fake.byMethod.get('ISteamUser/GetPlayerSummaries')).toBeLessThan(200);
  }, 120_000);

  describe('TruckersMP', () => {
    it('a player links TruckersMP through their own Steam link; the first sync puts a convoy and an achievement in their feed (EN and RU)', async () => {
      const linked = await call('POST', '/v2/accounts/truckersmp/through/steam', 'robin');
      expect(linked.status).toBe(201);
      expect(linked.body).toMatchObject({ provider: 'truckersmp', externalId: '1287455', displayName: 'Name', status: 'active' });
      const tmpLink = linked.body.id as string;
      await waitFor('the first TruckersMP sync', async () => (await runsOf(tmpLink)).some((r) => r.status === 'succeeded'), 30_000);
      expect((await runsOf(tmpLink))[0]).toMatchObject({ status: 'succeeded', events_created: 2 });
      const feed = await call('GET', '/v2/feed?types=truckersmp.event.attending,truckersmp.achievement.earned', 'robin');
      expect(feed.body.items.map((i: { summary: string }) => i.summary).sort()).toEqual([
        'Name earned the TruckersMP achievement *Convoy Driver*',
        'Name is driving in the convoy Nordic Night Run: Södertälje, Scania → Rotterdam, Port',
      ]);
      const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'robin', issuer: 'activity-dev', audience: 'activity-service' });
      const russian = await fetch(`${feedApi.url}/v2/feed?types=truckersmp.vtc.joined,truckersmp.event.attending`, {
        headers: { authorization: `Bearer ${token}`, 'accept-language': 'ru' },
      });
      expect(((await russian.json()) as { items: Array<{ summary: string }> }).items.map((i) => i.summary)).toEqual([
        'Name едет в конвое Nordic Night Run: Södertälje, Scania → Rotterdam, Port',
      ]);
      expect(truckersMp.userAgents.has('activity-service-tests/1.0 (sync.int-spec)')).toBe(true);
      expect([...truckersMp.userAgents].every((agent) => agent === 'activity-service-tests/1.0 (sync.int-spec)')).toBe(true);
    });

    it('without a Steam link there is nothing to link through (localised); a connector that does not vouch is 404', async () => {
      const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'no-steam', issuer: 'activity-dev', audience: 'activity-service' });
      const refused = await fetch(`${feedApi.url}/v2/accounts/truckersmp/through/steam`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'accept-language': 'ru' },
      });
      expect(refused.status).toBe(400);
      const problem = (await refused.json()) as { errors: Array<{ field: string; message: string }> };
      expect(problem.errors[0]).toMatchObject({ field: 'via', message: 'сначала привяжите аккаунт Steam' });
      expect((await call('POST', '/v2/accounts/truckersmp/through/minecraft', 'robin')).status).toBe(404);
      expect((await call('POST', '/v2/accounts/nosuchconnector/through/steam', 'robin')).status).toBe(404);
    });

    it('tenant admins link a typed TruckersMP profile URL; players may not; unknown players are a clear 400', async () => {
      expect((await call('POST', '/v2/accounts/truckersmp', 'gamer', { account: '2000001', userId: 'gamer' })).status).toBe(403);
      const linked = await call('POST', '/v2/accounts/truckersmp', 'steward', { account: 'https://truckersmp.com/user/2000001', userId: 'trucker' });
      expect(linked.status).toBe(201);
      expect(linked.body).toMatchObject({ provider: 'truckersmp', externalId: '2000001', displayName: 'Driver 2000001' });
      const unknown = await call('POST', '/v2/accounts/truckersmp', 'steward', { account: '999999', userId: 'trucker' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0]).toMatchObject({ field: 'account', message: 'TruckersMP knows no player 999999' });
      const garbage = await call('POST', '/v2/accounts/truckersmp', 'steward', { account: 'not a profile', userId: 'trucker' });
      expect(garbage.status).toBe(400);
      expect((await call('POST', '/v2/accounts/truckersmp', 'steward', { account: '2000001', userId: 'someone-else' })).body).toMatchObject({
        status: 409,
        code: 'account_already_linked',
      });
    });
  });
});
