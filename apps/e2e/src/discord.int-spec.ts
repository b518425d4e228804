import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { KafkaProbe } from '@activity/messaging';
import { createDataSource } from '@activity/persistence';
import {
  DISCORD_TEST_PUBLIC_KEY_HEX,
  FakeDiscordServer,
  FakeSteamServer,
  ServiceProcess,
  serviceEnvironment,
  signDiscordWebhook,
  testEnvironment,
  waitFor,
} from '@activity/testing';
import { feedApiCaller } from './fixtures/feed-api-caller';

const NELLY = '80351110224678912';
const ROBIN_STEAM = '76561197960435530';

/**
 * Discord through the real services and the fake Discord: OAuth2 linking (PKCE, state), a Steam
 * account linked through a verified Discord connection (with a token refresh), unlinking that
 * revokes at Discord, signed webhook events (PING, bad signatures, replays, deauthorisation),
 * and game presence through the Gateway with two connector-workers, one of which is SIGKILLed.
 */
describe('Discord, end to end', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `discord-${run}`;
  const sourceId = `discord_${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/discord-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const base = environment.portBase + 190;
  const services: ServiceProcess[] = [];
  const workers: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  let discord: FakeDiscordServer;
  let steam: FakeSteamServer;
  let admin: DataSource;
  let probe: KafkaProbe;

  const call = feedApiCaller(() => feedApi.url, keyDir, { tenantId: tenant, user: 'nelly' });

  /** The browser's part: follow authorizeUrl to the fake's consent, which redirects to our callback. */
  async function consent(authorizeUrl: string): Promise<string> {
    const response = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return response.headers.get('location')!;
  }

  async function callback(url: string, locale = 'en') {
    const response = await fetch(url, { headers: { 'accept-language': locale } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { code?: string; detail?: string } };
  }

  function deliver(body: string, signature?: string, timestamp = String(Math.floor(Date.now() / 1000))) {
    return fetch(`${gateway.url}/v1/webhooks/discord/${sourceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature ?? signDiscordWebhook(body, timestamp), 'x-signature-timestamp': timestamp },
      body,
    });
  }

  const discordEvent = (type: string, userId: string, at = new Date()) =>
    JSON.stringify({
      version: 1,
      application_id: discord.clientId,
      type: 1,
      event: {
        type,
        timestamp: at.toISOString().replace('Z', ''),
        data: { integration_type: 1, scopes: ['identify', 'connections'], user: { id: userId, username: 'nelly', global_name: 'Nelly' } },
      },
    });

  const liveLinks = async (user: string) => ((await call('GET', '/v2/accounts', { user })).body as Array<{ id: string; provider: string; externalId: string }>) ?? [];
  const feedTypes = async (user: string, types: string) =>
    ((await call('GET', `/v2/feed?types=${types}`, { user })).body.items as Array<{ type: string; summary: string; payload: Record<string, unknown> }>) ?? [];

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'] } }));
    discord = await FakeDiscordServer.start();
    discord.heartbeatIntervalMs = 1_000;
    discord.addUser({
      id: NELLY,
      username: 'nelly',
      global_name: 'Nelly',
      connections: [
        { type: 'steam', id: ROBIN_STEAM, name: 'Robin', visibility: 1, friend_sync: false, show_activity: true, verified: true, two_way_link: false },
        { type: 'twitch', id: '141981764', name: 'twitchdev', visibility: 0, friend_sync: false, show_activity: true, verified: false, two_way_link: true, revoked: false },
      ],
    });
    discord.addUser({ id: '90000000000000001', username: 'gale', global_name: null });
    steam = await FakeSteamServer.start();
    steam.addFixturePlayer(ROBIN_STEAM);
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'discord-test' }).initialize();
    probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}account.linked`]);
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      ...discord.settings(`http://127.0.0.1:${base}/v2/accounts/discord/callback`),
      DISCORD_BOT_TOKEN: discord.botToken,
      DISCORD_PRESENCE_DEBOUNCE_MS: '300',
      GATEWAY_CLAIM_INTERVAL_MS: '300',
      STEAM_API_BASE_URL: steam.url,
      STEAM_API_KEY: steam.apiKey,
      STEAM_OPENID_URL: `${steam.url}/openid/login`,
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    [feedApi, gateway] = await Promise.all([ServiceProcess.start('feed-api', base, env), ServiceProcess.start('ingest-gateway', base + 1, env)]);
    const started = await Promise.all([
      ServiceProcess.start('outbox-relay', base + 2, env),
      ServiceProcess.start('connector-workers', base + 3, env),
      ServiceProcess.start('connector-workers', base + 4, env),
    ]);
    workers.push(started[1], started[2]);
    services.push(feedApi, gateway, ...started);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await probe?.stop();
    await admin?.destroy();
    await discord?.stop();
    await steam?.stop();
  }, 60_000);

  let discordLinkId: string;

  it('links Discord by OAuth2 with PKCE (S256) and a one-time state; tokens are sealed; the answer suggests the verified Steam connection only', async () => {
    // Short-lived tokens, so a later call must refresh them first.
    discord.tokenLifetimeSeconds = 120;
    const started = await call('POST', '/v2/accounts/discord/authorize');
    expect(started.status).toBe(200);
    const authorize = new URL(started.body.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${discord.url}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: discord.clientId,
      scope: 'identify connections',
      code_challenge_method: 'S256',
      prompt: 'consent',
      redirect_uri: `http://127.0.0.1:${base}/v2/accounts/discord/callback`,
    });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const back = await consent(started.body.authorizeUrl);
    const linked = await callback(back);
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ provider: 'discord', externalId: NELLY, displayName: 'Nelly', status: 'active' });
    expect(linked.body['suggestions']).toEqual([{ provider: 'steam', externalId: ROBIN_STEAM, name: 'Robin', link: '/v2/accounts/steam/through/discord' }]);
    discordLinkId = String(linked.body['id']);
    // The token exchange was form-encoded with HTTP Basic, and carried the verifier.
    expect(discord.requests.find((request) => request.path === '/api/oauth2/token')).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      authorization: expect.stringMatching(/^Basic /),
    });
    const [stored] = await admin.query(`SELECT credentials_ciphertext FROM account_links WHERE id = $1`, [discordLinkId]);
    expect(stored.credentials_ciphertext).toMatch(/^v1\./);
    expect(stored.credentials_ciphertext).not.toContain('Bearer');
    const announced = await probe.waitForMessage('account.linked', (message) => (message.data as { accountLinkId?: string })?.accountLinkId === discordLinkId);
    expect(JSON.parse(announced.value)).toMatchObject({ provider: 'discord', externalId: NELLY, status: 'active' });

    // The same redirect again: the state was used.
    const reused = await callback(back, 'ru');
    expect(reused.status).toBe(400);
    expect(reused.body.detail ?? JSON.stringify(reused.body)).toMatch(/[а-я]/);
  });

  it('refuses a state never issued, an expired one, a refused code (invalid_grant) and a denied consent, each without a link', async () => {
    const before = (await liveLinks('gale')).length;
    const forged = await callback(`${feedApi.url}/v2/accounts/discord/callback?code=abc&state=${Buffer.from(tenant).toString('base64url')}.${'A'.repeat(32)}`);
    expect(forged).toMatchObject({ status: 400, body: { code: 'validation_failed' } });

    const expired = await call('POST', '/v2/accounts/discord/authorize', { user: 'gale' });
    await admin.query(`UPDATE account_link_claims SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND user_id = 'gale'`, [tenant]);
    discord.consentAs = '90000000000000001';
    expect(await callback(await consent(expired.body.authorizeUrl))).toMatchObject({ status: 400, body: { code: 'validation_failed' } });

    const badCode = await call('POST', '/v2/accounts/discord/authorize', { user: 'gale' });
    const location = new URL(await consent(badCode.body.authorizeUrl));
    location.searchParams.set('code', 'NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee');
    const refused = await callback(location.toString(), 'ru');
    expect(refused).toMatchObject({ status: 400, body: { code: 'oauth_invalid_grant' } });
    expect(refused.body.detail).toMatch(/не принял код/);

    const denied = await call('POST', '/v2/accounts/discord/authorize', { user: 'gale' });
    discord.denyConsent = true;
    const deniedAnswer = await callback(await consent(denied.body.authorizeUrl));
    expect(deniedAnswer).toMatchObject({ status: 403, body: { code: 'oauth_access_denied' } });
    discord.consentAs = undefined;
    expect(await liveLinks('gale')).toHaveLength(before);
  });

  it('links Steam through the verified Discord connection in one call, refreshing the expired Discord token first; a platform without a connector is 404', async () => {
    // The fake would refuse the old access token now: only a refreshed one works.
    discord.expireAccessTokens(NELLY);
    const tokenCalls = () => discord.requests.filter((request) => request.path === '/api/oauth2/token').length;
    const tokenCallsBefore = tokenCalls();
    const [sealedBefore] = await admin.query(`SELECT credentials_ciphertext FROM account_links WHERE id = $1`, [discordLinkId]);
    const steamLink = await call('POST', '/v2/accounts/steam/through/discord');
    expect(steamLink.body).toMatchObject({ provider: 'steam' });
    expect(steamLink.status).toBe(201);
    expect(steamLink.body).toMatchObject({ provider: 'steam', externalId: ROBIN_STEAM, displayName: 'Robin' });
    // One refresh_token grant before the connections call (the access token had expired).
    expect(tokenCalls()).toBe(tokenCallsBefore + 1);
    const [sealedAfter] = await admin.query(`SELECT credentials_ciphertext FROM account_links WHERE id = $1`, [discordLinkId]);
    expect(sealedAfter.credentials_ciphertext).not.toBe(sealedBefore.credentials_ciphertext);
    // The suggestion's other platform was not verified on Discord (and we have no connector for it here).
    expect((await call('POST', '/v2/accounts/twitch/through/discord')).status).toBe(404);
    discord.tokenLifetimeSeconds = 604_800;
  });

  it('answers a signed PING 204 with an empty body, a flipped signature byte 401, and acknowledges events 204 once however often they are replayed', async () => {
    const created = await call('POST', '/v2/webhook-sources', {
      user: 'steward',
      body: { id: sourceId, name: 'Our Discord app', connector: 'discord', publicKey: DISCORD_TEST_PUBLIC_KEY_HEX },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeUndefined();
    expect((await call('POST', '/v2/webhook-sources', { user: 'steward', body: { id: `${sourceId}x`, name: 'No key', connector: 'discord' } })).status).toBe(400);

    const ping = `{"version":1,"application_id":"${discord.clientId}","type":0}`;
    const pong = await deliver(ping);
    expect(pong.status).toBe(204);
    expect(await pong.text()).toBe('');
    const signature = signDiscordWebhook(ping, '1700000000');
    const flipped = signature.slice(0, 20) + (signature[20] === 'a' ? 'b' : 'a') + signature.slice(21);
    expect((await deliver(ping, flipped, '1700000000')).status).toBe(401);
    expect((await deliver(ping, '')).status).toBe(401);

    const authorized = discordEvent('APPLICATION_AUTHORIZED', NELLY);
    const timestamp = String(Math.floor(Date.now() / 1000));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const answer = await deliver(authorized, undefined, timestamp);
      expect(answer.status).toBe(204);
      expect(await answer.text()).toBe('');
    }
    await waitFor('the authorised event in nelly’s feed', async () => (await feedTypes('nelly', 'discord.app.authorized')).length === 1);
    expect((await feedTypes('nelly', 'discord.app.authorized'))[0]!.summary).toBe('Nelly connected Discord');
  });

  it('game presence through the Gateway: a linked player’s game starts and ends in their feed, an unlinked player’s in nobody’s; the shard survives its worker being SIGKILLed', async () => {
    // Exactly one of the two workers runs the shard.
    const owned = async (worker: ServiceProcess) => /gateway_shards_owned\{connector="discord"\} 1/.test(await (await fetch(`${worker.url}/metrics`)).text());
    await waitFor('one worker owns the Discord shard', async () => (await Promise.all(workers.map(owned))).filter(Boolean).length === 1 && discord.connectedSessions === 1, 30_000);
    const ownerIndex = (await owned(workers[0]!)) ? 0 : 1;
    const sessionId = discord.sessionIds[0];

    discord.sendPresence({ userId: '90000000000000099', game: 'Tetris' });
    discord.sendPresence({ userId: NELLY, game: 'Rocket League', applicationId: '379286085710381999', startedAt: Date.now() - 5_000 });
    await waitFor('the game started in nelly’s feed', async () => (await feedTypes('nelly', 'discord.game.started')).length === 1, 20_000);
    expect((await feedTypes('nelly', 'discord.game.started'))[0]).toMatchObject({ summary: 'Nelly started playing *Rocket League*', payload: { game: 'Rocket League' } });
    const [{ count }] = await admin.query(`SELECT count(*)::int AS count FROM activity_events WHERE source = 'discord' AND payload->>'game' = 'Tetris'`);
    expect(count).toBe(0);

    // The owner checkpoints the announced session; then it dies, and the other worker takes the
    // shard over and RESUMEs the session from the saved state.
    await waitFor('the session checkpointed', async () => {
      const [saved] = await admin.query(`SELECT state FROM gateway_shard_states WHERE connector = 'discord' AND shard_id = 0`);
      return Boolean(saved?.state?.presence?.[NELLY]);
    });
    workers[ownerIndex]!.kill();
    const survivor = workers[1 - ownerIndex]!;
    await waitFor(
      'the survivor resumed the session',
      async () => discord.resumes.some((resume) => resume.sessionId === sessionId && resume.accepted) && (await owned(survivor)),
      30_000,
    );
    expect(discord.identifies).toHaveLength(1);
    discord.sendPresence({ userId: NELLY, game: null });
    await waitFor('the game ended in nelly’s feed', async () => (await feedTypes('nelly', 'discord.game.ended')).length === 1, 20_000);
    const ended = (await call('GET', '/v2/feed?types=discord.game.ended', { locale: 'ru' })).body.items[0];
    expect(ended.summary).toMatch(/^Nelly играет в \*Rocket League\*/);
  });

  it('APPLICATION_DEAUTHORIZED revokes the Discord link (an older replay does not touch a newer link); unlinking revokes the grant at Discord', async () => {
    const deauthorized = discordEvent('APPLICATION_DEAUTHORIZED', NELLY);
    expect((await deliver(deauthorized)).status).toBe(204);
    await waitFor('the Discord link revoked', async () => !(await liveLinks('nelly')).some((link) => link.provider === 'discord'), 20_000);
    const [revoked] = await admin.query(`SELECT status, status_reason, credentials_ciphertext FROM account_links WHERE id = $1`, [discordLinkId]);
    expect(revoked).toEqual({ status: 'revoked', status_reason: 'deauthorized on Discord', credentials_ciphertext: null });

    // Nelly links again; a deauthorisation dated before that must leave the new link alone.
    const again = await callback(await consent((await call('POST', '/v2/accounts/discord/authorize')).body.authorizeUrl));
    expect(again.status).toBe(201);
    const stale = discordEvent('APPLICATION_DEAUTHORIZED', NELLY, new Date(Date.now() - 60_000));
    expect((await deliver(stale, undefined, String(Math.floor(Date.now() / 1000) - 1))).status).toBe(204);
    // A fresh authorised event after the stale one is a barrier: once it is stored, the stale one was handled.
    expect((await deliver(discordEvent('APPLICATION_AUTHORIZED', NELLY))).status).toBe(204);
    await waitFor('the barrier event stored', async () => (await feedTypes('nelly', 'discord.app.authorized')).length === 2, 20_000);
    expect((await liveLinks('nelly')).filter((link) => link.provider === 'discord')).toHaveLength(1);

    const grantsBefore = discord.grantsOf(NELLY);
    expect(grantsBefore).toBeGreaterThan(0);
    expect((await call('DELETE', `/v2/accounts/${String(again.body['id'])}`)).status).toBe(204);
    expect(discord.grantsOf(NELLY)).toBe(0);
    expect(discord.revocations).toContain(NELLY);
  });
});
