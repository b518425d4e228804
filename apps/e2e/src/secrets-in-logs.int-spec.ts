import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { signHmacSha256Hex, signStandardWebhook } from '@activity/connector-sdk';
import { createDataSource, SeedData } from '@activity/persistence';
import { FakeSteamServer, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * A full run of the four services at debug level, with every kind of secret in play (a database
 * password, the secrets encryption key, a webhook signing secret and its signatures, bearer tokens,
 * an internal HMAC key, the Steam API key the workers hold, a custom source's generated and rotated
 * secrets), then every line they logged searched for each of them.
 */
describe('secrets stay out of the logs', () => {
  const environment = testEnvironment();
  const tenant = `secrets-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const player = 'c0ffee00-0000-4000-8000-0000000000cc';
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/secrets-policy-${process.pid}.json`;
  const canary = (label: string) => `${label}${randomBytes(12).toString('hex')}`;
  const databasePassword = canary('dbpass');
  const webhookSecret = `whsec_${Buffer.from(canary('webhook-secret-')).toString('base64')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  const internalSecret = Buffer.from(canary('internal-secret-')).toString('base64');
  const services: ServiceProcess[] = [];
  const seen: string[] = [];
  let admin: DataSource;
  let steam: FakeSteamServer;

  beforeAll(async () => {
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'secrets-test' }).initialize();
    const seed = new SeedData(admin, { keyId: 'secrets', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'Secret server' }, webhookSecret);
    await seed.accountLink({ tenantId: tenant, userId: 'carol', provider: 'minecraft', externalId: player });
    steam = await FakeSteamServer.start(randomBytes(16).toString('hex').toUpperCase());
    // The local PostgreSQL trusts 127.0.0.1, so a password in the URL is accepted and never needed: a pure canary.
    const withPassword = (url: string) => url.replace('://activity_app@', `://activity_app:${databasePassword}@`);
    const policy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...policy, subjects: { ...policy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'] } }));
    const env = {
      ...serviceEnvironment(environment),
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      DATABASE_URL: withPassword(environment.databaseUrl),
      DATABASE_DIRECT_URL: withPassword(environment.databaseUrl),
      LOG_LEVEL: 'debug',
      JWT_DEV_KEY_DIR: keyDir,
      SECRETS_ENCRYPTION_KEY: encryptionKey,
      SECRETS_ENCRYPTION_KEY_ID: 'secrets',
      INTERNAL_HMAC_KEYS: JSON.stringify({ 'secrets-key': { caller: 'platform', secret: internalSecret } }),
      STEAM_API_BASE_URL: steam.url,
      STEAM_API_KEY: steam.apiKey,
    };
    services.push(...(await ServiceProcess.startAll(environment.portBase + 44, env)).all);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await steam?.stop();
    await admin?.destroy();
  }, 60_000);

  it('logs no database password, encryption key, webhook secret or signature, bearer token, HMAC key, Steam key or custom source secret', async () => {
    const [feedApi, gateway] = services as [ServiceProcess, ServiceProcess];
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'carol', issuer: 'activity-dev', audience: 'activity-service' });
    seen.push(token);

    // A signed webhook, and one with a wrong signature.
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'player.joined', occurredAt: new Date().toISOString(), server: { id: 'lobby' }, player: { uuid: player, name: 'carol_mc' } });
    const signature = signStandardWebhook(webhookSecret, id, timestamp, body);
    seen.push(signature.replace(/^v1,/, ''));
    const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
    expect((await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, { method: 'POST', headers: { ...headers, 'webhook-signature': signature }, body })).status).toBe(202);
    const forged = signStandardWebhook(webhookSecret, id, timestamp, `${body} `);
    const refused = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, { method: 'POST', headers: { ...headers, 'webhook-signature': forged }, body });
    expect(refused.status).toBe(401);

    // Feed reads with the token (good and bad), and an internal event signed with the HMAC key.
    const authorization = { authorization: `Bearer ${token}` };
    await waitFor(
      'the webhook event in the feed',
      async () => ((await (await fetch(`${feedApi.url}/v2/feed`, { headers: authorization })).json()) as { items: unknown[] }).items.length > 0,
    );
    expect((await fetch(`${feedApi.url}/v2/feed`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const internal = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      tenantId: tenant,
      userId: 'carol',
      type: 'platform.badge.awarded',
      occurredAt: new Date().toISOString(),
      actor: { type: 'Person', id: 'platform:user:carol', name: 'carol' },
    });
    const signed = signInternalRequest({ id: 'secrets-key', secret: internalSecret }, { method: 'POST', pathWithQuery: '/internal/v1/events', body: internal });
    expect((await fetch(`${feedApi.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: internal })).status).toBe(201);
    for (const value of Object.values(signed)) if (value.length >= 20) seen.push(value);

    // A tenant admin's custom source: its secret is generated, rotated, and used to sign a delivery.
    const stewardToken = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'steward', issuer: 'activity-dev', audience: 'activity-service' });
    seen.push(stewardToken);
    const asSteward = { authorization: `Bearer ${stewardToken}`, 'content-type': 'application/json' };
    const customId = `gh_${Date.now().toString(36)}`;
    const created = await fetch(`${feedApi.url}/v2/webhook-sources`, {
      method: 'POST',
      headers: asSteward,
      body: JSON.stringify({ id: customId, name: 'Hooks', signature: 'github', rules: [{ name: 'any', type: '"thing.done"', actor: 'body.who', summary: { en: '"done"' } }] }),
    });
    expect(created.status).toBe(201);
    const firstSecret = ((await created.json()) as { secret: string }).secret;
    const rotated = await fetch(`${feedApi.url}/v2/webhook-sources/${customId}/rotate-secret`, { method: 'POST', headers: asSteward, body: '{}' });
    const customSecret = ((await rotated.json()) as { secret: string }).secret;
    seen.push(firstSecret, customSecret);
    const customBody = JSON.stringify({ who: 'carol' });
    const hubSignature = signHmacSha256Hex(customSecret, customBody);
    seen.push(hubSignature.slice('sha256='.length));
    const delivered = await fetch(`${gateway.url}/v1/webhooks/custom/${customId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-delivery': randomUUID(), 'x-github-event': 'push', 'x-hub-signature-256': hubSignature },
      body: customBody,
    });
    expect(delivered.status).toBe(202);

    await Promise.all(services.map((service) => service.stop()));

    const logs = services.map((service) => service.logs()).join('\n');
    // The logs did capture this run's requests (a positive control: the search has something to search).
    expect(logs).toContain(tenant);
    expect(logs).toContain(id);
    const secrets = { databasePassword, encryptionKey, webhookSecret, webhookSecretBytes: webhookSecret.slice('whsec_'.length), internalSecret, steamKey: steam.apiKey };
    for (const [name, value] of Object.entries(secrets)) expect({ name, found: logs.includes(value) }).toEqual({ name, found: false });
    for (const value of seen) expect({ value: `${value.slice(0, 12)}…`, found: logs.includes(value) }).toEqual({ value: `${value.slice(0, 12)}…`, found: false });
  });
});
