import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import type { DomainError } from '@activity/domain';
import { LocalTokenBucket, RedisSharedState, RedisTokenBucket } from '@activity/resilience';
import { FakeDiscordServer, testEnvironment } from '@activity/testing';
import { DiscordRateLimits } from './discord-rate-limits';
import { DiscordRestClient } from './discord-rest-client';

describe('Discord REST rate limits, shared by two replicas through real Redis, against the fake Discord', () => {
  const environment = testEnvironment();
  let redis: Redis;
  let fake: FakeDiscordServer;
  let token: string;
  let namespace: string;

  /** One replica's client: its own objects, the same Redis keys as the others. */
  function replica(options: { brake?: number; maxWaitMs?: number } = {}) {
    const limits = new DiscordRateLimits(new RedisSharedState(redis, namespace), new RedisTokenBucket(redis, `${namespace}:global`, 50, 50), new LocalTokenBucket(1000, 1000), {
      maxWaitMs: options.maxWaitMs ?? 5_000,
      invalidRequestBrake: options.brake ?? 1_000,
    });
    return new DiscordRestClient({ baseUrl: fake.apiBaseUrl, timeoutMs: 2_000, maxAttempts: 3 }, limits, pino({ level: 'silent' }));
  }

  const callsTo = (path: string) => fake.requests.filter((request) => request.path === path);

  beforeAll(() => {
    redis = new Redis(environment.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  });
  afterAll(() => redis.quit());
  beforeEach(async () => {
    namespace = `discord-test:${randomUUID()}`;
    fake = await FakeDiscordServer.start();
    fake.addUser({ id: '80351110224678912', username: 'nelly' });
    // A grant to call with: consent once, exchange the code.
    const authorize = await fetch(
      `${fake.url}/oauth2/authorize?response_type=code&client_id=${fake.clientId}&redirect_uri=http://x/cb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`,
      {
        redirect: 'manual',
      },
    );
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
    const tokenResponse = await fetch(`${fake.url}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://x/cb', code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' }),
    });
    token = ((await tokenResponse.json()) as { access_token: string }).access_token;
  });
  afterEach(() => fake.stop());

  it('honours a 429’s fractional retry_after before trying again, and the call then succeeds', async () => {
    fake.rateLimits.push({ path: '/api/v10/users/@me', retryAfter: 0.35, scope: 'user', times: 1 });
    const user = await replica().me(token);
    expect(user.id).toBe('80351110224678912');
    const [limited, retried] = callsTo('/api/v10/users/@me');
    expect(callsTo('/api/v10/users/@me')).toHaveLength(2);
    // The retry was not sent before the 350 ms Discord named.
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(350);
  });

  it('a global 429 seen by one replica pauses the other replica’s calls on every route', async () => {
    const [a, b] = [replica(), replica()];
    fake.rateLimits.push({ retryAfter: 0.6, global: true, times: 1 });
    const first = a.me(token);
    // Wait until replica A got the 429 (the pause is then in Redis), then call another route from B.
    while (!(await redis.get(`shared:${namespace}:pause:global`))) await new Promise((resolve) => setImmediate(resolve));
    const pausedUntil = Number(await redis.get(`shared:${namespace}:pause:global`));
    await b.connections(token);
    expect(callsTo('/api/v10/users/@me/connections')).toHaveLength(1);
    expect(callsTo('/api/v10/users/@me/connections')[0]!.at).toBeGreaterThanOrEqual(pausedUntil);
    await first;
    expect(callsTo('/api/v10/users/@me')[1]!.at).toBeGreaterThanOrEqual(pausedUntil);
  });

  it('learns a route’s bucket from X-RateLimit-* headers, shared: an exhausted bucket makes the other replica wait for its reset', async () => {
    await replica().me(token);
    const bucket = await redis.get(`shared:${namespace}:route:GET /users/@me`);
    expect(bucket).toMatch(/^[0-9a-f]{16}$/);
    const [remaining, resetAt] = (await redis.get(`shared:${namespace}:bucket:${bucket}`))!.split('|').map(Number);
    expect(remaining).toBe(4);
    expect(resetAt).toBeGreaterThan(Date.now());
    // Say the bucket is empty for 400 ms: the other replica waits instead of spending a request on a 429.
    const emptyUntil = Date.now() + 400;
    await redis.set(`shared:${namespace}:bucket:${bucket}`, `0|${emptyUntil}`, 'PX', 2_000);
    await replica().me(token);
    expect(callsTo('/api/v10/users/@me')).toHaveLength(2);
    expect(callsTo('/api/v10/users/@me')[1]!.at).toBeGreaterThanOrEqual(emptyUntil);
  });

  it('with scope "shared" a 429 does not count toward the invalid-request ban; 401s do, and calls stop at the brake without reaching Discord', async () => {
    fake.rateLimits.push({ path: '/api/v10/users/@me', retryAfter: 0.01, scope: 'shared', times: 1 });
    await replica().me(token);
    expect(await redis.get(`shared:${namespace}:invalid`)).toBeNull();

    const client = replica({ brake: 3 });
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1)
      codes.push(
        await client.me('not-a-token').then(
          () => 'ok',
          (error: DomainError) => error.code,
        ),
      );
    expect(codes).toEqual(['link_reauthorization_required', 'link_reauthorization_required', 'link_reauthorization_required', 'dependency_unavailable', 'dependency_unavailable']);
    expect(fake.requests.filter((request) => request.authorization === 'Bearer not-a-token')).toHaveLength(3);
  });
});
