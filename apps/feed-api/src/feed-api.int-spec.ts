import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { createDataSource } from '@activity/persistence';
import { FakeAccessServer, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * feed-api against real Postgres (as activity_app, under RLS), Redis and Kafka: two feed-api
 * instances behind the same Redis, and an outbox-relay so feed.updated is really published.
 */
describe('feed-api', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `feed-${run}`;
  const otherTenant = `other-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const internalKey = { id: 'test-key', secret: Buffer.from('feed-api-test-internal-secret!!').toString('base64') };
  const policyFile = `${process.cwd()}/libs/auth/src/policies/default-policy.json`;
  const env = {
    ...serviceEnvironment(environment),
    JWT_DEV_KEY_DIR: keyDir,
    ACCESS_POLICY_FILE: policyFile,
    INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'platform', secret: internalKey.secret } }),
  };
  let admin: DataSource;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let relay: ServiceProcess;
  const tokens: Record<string, string> = {};

  const token = async (tenantId: string, userId: string) =>
    (tokens[`${tenantId}:${userId}`] ??= await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId, userId, issuer: 'activity-dev', audience: 'activity-service' }));

  async function get(service: ServiceProcess, path: string, as: [string, string] = [tenant, 'alice'], headers: Record<string, string> = {}) {
    const response = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${await token(...as)}`, ...headers } });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown> & { items?: Array<Record<string, unknown>> }) : undefined,
    };
  }

  async function post(service: ServiceProcess, path: string, body: unknown, as: [string, string] = [tenant, 'alice']) {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(...as)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function internalEvent(service: ServiceProcess, event: Record<string, unknown>, sign = true, signedAt = new Date()) {
    const body = JSON.stringify(event);
    const headers = sign ? signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body }, signedAt) : {};
    const response = await fetch(`${service.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers };
  }

  const firstParty = (userId: string, overrides: Record<string, unknown> = {}) => ({
    eventId: `evt-${randomUUID()}`,
    tenantId: tenant,
    userId,
    type: 'platform.badge.awarded',
    occurredAt: new Date().toISOString(),
    actor: { type: 'Person', id: `platform:user:${userId}`, name: userId },
    object: { type: 'Object', id: 'badge:veteran', name: 'Veteran' },
    ...overrides,
  });

  /** Inserts `count` events for a user directly (as the owner), oldest first, one second apart. */
  async function seed(tenantId: string, userId: string | null, count: number, type = 'minecraft.player.joined', start = Date.UTC(2026, 0, 1)) {
    await admin.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, occurred_at, payload)
       SELECT $1, $2, 'seed', $3 || g, $4, jsonb_build_object('type', 'Person', 'id', 'p', 'name', coalesce($2, 'stranger')),
              to_timestamp($5::float8 / 1000 + g), jsonb_build_object('n', g)
         FROM generate_series(1, $6::int) g`,
      [tenantId, userId, `${randomUUID()}-`, type, start, count],
    );
  }

  beforeAll(async () => {
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'feed-api-test' }).initialize();
    [a, b, relay] = await Promise.all([
      ServiceProcess.start('feed-api', environment.portBase + 10, env),
      ServiceProcess.start('feed-api', environment.portBase + 11, env),
      ServiceProcess.start('outbox-relay', environment.portBase + 13, env),
    ]);
    await seed(tenant, 'alice', 30, 'minecraft.player.joined');
    await seed(tenant, 'alice', 10, 'minecraft.player.advancement', Date.UTC(2026, 1, 1));
    await seed(tenant, 'bob', 5);
    await seed(tenant, null, 3);
    await seed(otherTenant, 'alice', 5);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a, b, relay].map((service) => service?.stop()));
    await admin?.destroy();
  }, 60_000);

  describe('GET /v2/feed parameters', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['types=minecraft.player.chat', 'types'],
      ['since=yesterday', 'since'],
      ['until=2026-13-01T00:00:00Z', 'until'],
      ['scope=everyone', 'scope'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=asc', 'sort'],
    ])('%s -> 400 naming %s', async (query, field) => {
      const response = await get(a, `/v2/feed?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'validation_failed', type: 'https://errors.activity.dev/validation_failed' });
      expect((response.body!['errors'] as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    });

    it('rejects since >= until, in Russian when asked', async () => {
      const response = await get(a, '/v2/feed?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', [tenant, 'alice'], { 'accept-language': 'ru-RU,ru;q=0.9' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ title: 'Некорректный запрос', errors: [{ field: 'since', rule: 'sinceBeforeUntil', message: 'since должно быть раньше until' }] });
    });

    it('says every field violation in the language Accept-Language asks for', async () => {
      const ru = await get(a, '/v2/feed?limit=0', [tenant, 'alice'], { 'accept-language': 'ru' });
      expect(ru.status).toBe(400);
      expect(ru.headers.get('content-language')).toBe('ru');
      expect(ru.body).toMatchObject({ title: 'Некорректный запрос', errors: [{ field: 'limit', rule: 'min', message: 'limit: значение не может быть меньше 1' }] });
      const en = await get(a, '/v2/feed?limit=0');
      expect(en.body).toMatchObject({ title: 'Invalid request', errors: [{ field: 'limit', rule: 'min', message: 'limit must not be less than 1' }] });
      const cursor = await get(a, '/v2/feed?cursor=not-a-cursor', [tenant, 'alice'], { 'accept-language': 'ru' });
      expect(cursor.body).toMatchObject({ errors: [{ field: 'cursor', message: 'cursor: это не курсор, выданный этим API' }] });
    });

    it('accepts good values: types, a date window, a limit', async () => {
      const response = await get(a, '/v2/feed?types=minecraft.player.advancement&since=2026-02-01T00:00:03Z&until=2026-02-01T00:00:06Z&limit=100');
      expect(response.status).toBe(200);
      expect(response.body!.items!.map((item) => (item['payload'] as { n: number }).n)).toEqual([5, 4, 3]);
      expect(response.body!.items!.every((item) => item['type'] === 'minecraft.player.advancement')).toBe(true);
    });

    it('localises summaries', async () => {
      const en = await get(a, '/v2/feed?limit=1&types=minecraft.player.joined');
      const ru = await get(a, '/v2/feed?limit=1&types=minecraft.player.joined', [tenant, 'alice'], { 'accept-language': 'ru' });
      expect(en.headers.get('content-language')).toBe('en');
      expect(ru.headers.get('content-language')).toBe('ru');
      expect(en.body!.items![0]!['summary']).not.toEqual(ru.body!.items![0]!['summary']);
    });

    it('refuses a cursor reused with other filters', async () => {
      const first = await get(a, '/v2/feed?limit=5');
      const reused = await get(a, `/v2/feed?limit=5&types=minecraft.player.joined&cursor=${first.body!['nextCursor']}`);
      expect(reused.status).toBe(400);
      expect(reused.body).toMatchObject({ code: 'invalid_cursor' });
    });

    it('answers 304 to If-None-Match with the current ETag', async () => {
      const first = await get(a, '/v2/feed?limit=3');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^W\/"/);
      const again = await fetch(`${a.url}/v2/feed?limit=3`, { headers: { authorization: `Bearer ${await token(tenant, 'alice')}`, 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    });

    it('compresses large pages', async () => {
      const authorization = `Bearer ${await token(tenant, 'alice')}`;
      const body = await new Promise<{ encoding: string | undefined; json: unknown }>((resolve, reject) => {
        const request = http.get(`${a.url}/v2/feed?limit=100`, { headers: { authorization, 'accept-encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], json: JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) }));
        });
        request.on('error', reject);
      });
      expect(body.encoding).toBe('gzip');
      expect((body.json as { items: unknown[] }).items).toHaveLength(40);
    });
  });

  it('pages stably while new events arrive: no duplicates, no gaps', async () => {
    const before = (await get(a, '/v2/feed?limit=100')).body!.items!.map((item) => item['id']);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(a, `/v2/feed?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body!.items!.map((item) => item['id']));
      cursor = page.body!['nextCursor'] as string | null;
      // Concurrent writers: newer events land at the top while we page down.
      if (pages++ < 3) await seed(tenant, 'alice', 2, 'minecraft.player.quit', Date.UTC(2027, 0, 1) + pages * 10_000);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
  });

  it('scope=tenant needs activity.feed.read_tenant and then shows every user and unlinked events', async () => {
    expect((await get(a, '/v2/feed?scope=tenant')).status).toBe(403);
    await admin.query(`SELECT 1`);
    const asAdmin = await get(a, '/v2/feed?scope=tenant&limit=100', [tenant, 'admin-user']);
    expect(asAdmin.status).toBe(403);
    // The development policy grants the permission to demo's admin: seed demo's feed in a window of its own.
    const start = Date.UTC(2031, 0, 1) + (Date.now() % 1_000_000_000) * 1000;
    await seed('demo', 'alice', 2, 'minecraft.player.quit', start);
    await seed('demo', 'bob', 2, 'minecraft.player.quit', start + 10_000);
    await seed('demo', null, 1, 'minecraft.player.quit', start + 20_000);
    const window = `types=minecraft.player.quit&since=${new Date(start).toISOString()}&until=${new Date(start + 60_000).toISOString()}`;
    const policyAdmin = await get(a, `/v2/feed?scope=tenant&limit=100&${window}`, ['demo', 'admin']);
    expect(policyAdmin.status).toBe(200);
    const actors = policyAdmin.body!.items!.map((item) => (item['actor'] as { name: string }).name);
    expect(actors.sort()).toEqual(['alice', 'alice', 'bob', 'bob', 'stranger']);
    // The same window on the admin's own feed holds none of them.
    expect((await get(a, `/v2/feed?limit=100&${window}`, ['demo', 'admin'])).body!.items).toEqual([]);
  });

  it('serves the deprecated v1 with offset pages and deprecation headers', async () => {
    const v1 = await get(a, '/v1/feed?page=2&page_size=5&types=minecraft.player.joined');
    expect(v1.status).toBe(200);
    expect(v1.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(new Date(v1.headers.get('sunset')!).getTime()).toBeGreaterThan(Date.now());
    expect(v1.headers.get('link')).toBe('</v2/feed>; rel="successor-version"');
    const v2 = await get(a, '/v2/feed?limit=10&types=minecraft.player.joined');
    expect(v1.body!.items!.map((i) => i['id'])).toEqual(v2.body!.items!.slice(5).map((i) => i['id']));
    expect(v1.body).toMatchObject({ page: 2, page_size: 5, has_more: true });
    expect((await get(a, '/v1/feed?page=0')).status).toBe(400);
  });

  describe('unread', () => {
    it('counts, marks read by event id / cursor / all, and agrees across two instances', async () => {
      const user = `reader-${run}`;
      await seed(tenant, user, 12);
      expect((await get(a, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 12, capped: false });
      expect((await get(b, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 12, capped: false });
      const page = await get(a, '/v2/feed?limit=100', [tenant, user]);
      const ids = page.body!.items!.map((item) => item['id'] as string).sort((x, y) => Number(x) - Number(y));
      const marked = await post(b, '/v2/feed/read', { eventId: ids[4] }, [tenant, user]);
      expect(marked).toMatchObject({ status: 200, body: { lastReadEventId: ids[4], unread: { count: 7, capped: false } } });
      // The other instance sees the new count at once (shared cache invalidated), not after a TTL.
      expect((await get(a, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 7, capped: false });
      // The marker never moves back.
      expect((await post(a, '/v2/feed/read', { eventId: ids[1] }, [tenant, user])).body).toMatchObject({ lastReadEventId: ids[4] });
      expect((await post(a, '/v2/feed/read', { cursor: page.body!['headCursor'] }, [tenant, user])).body).toMatchObject({ unread: { count: 0 } });
      await seed(tenant, user, 2);
      await post(a, '/v2/feed/read', { all: true }, [tenant, user]);
      expect((await get(b, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 0, capped: false });
    });

    it('rejects a body that is not exactly one of eventId, cursor, all', async () => {
      expect((await post(a, '/v2/feed/read', {})).status).toBe(400);
      expect((await post(a, '/v2/feed/read', { eventId: '1', all: true })).status).toBe(400);
      expect((await post(a, '/v2/feed/read', { eventId: 'abc' })).status).toBe(400);
    });

    it('caps at 1000 and says so', async () => {
      const user = `hoarder-${run}`;
      await seed(tenant, user, 1005);
      expect((await get(a, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: '1000+', capped: true });
    });

    it('is invalidated by a real feed.updated on the other instance', async () => {
      const user = `live-${run}`;
      await seed(tenant, user, 1);
      expect((await get(b, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 1, capped: false });
      expect((await internalEvent(a, firstParty(user))).status).toBe(201);
      await waitFor('instance B to count the new event', async () => ((await get(b, '/v2/feed/unread-count', [tenant, user])).body!['count'] === 2 ? true : undefined));
    });
  });

  describe('first-page cache', () => {
    const ids = (page: Awaited<ReturnType<typeof get>>) => page.body!.items!.map((item) => item['id']);
    const hits = async (service: ServiceProcess) => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('cache_requests_total{') && l.includes('cache="first_page"') && l.includes('result="hit"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };

    it("serves a user's first page from the cache, and a real feed.updated through either instance drops it", async () => {
      const user = `cached-${run}`;
      await seed(tenant, user, 3);
      const first = await get(b, '/v2/feed?limit=5', [tenant, user]);
      expect(first.body!.items).toHaveLength(3);
      const before = await hits(b);
      // Written behind the API's back (nothing announced): the page that comes back without it is the cached one.
      await seed(tenant, user, 1, 'minecraft.player.quit', Date.UTC(2030, 0, 1));
      expect(ids(await get(b, '/v2/feed?limit=5', [tenant, user]))).toEqual(ids(first));
      expect(await hits(b)).toBe(before + 1);
      // Other sizes and filtered pages are their own reads.
      expect((await get(b, '/v2/feed?limit=6', [tenant, user])).body!.items).toHaveLength(4);
      expect((await get(b, '/v2/feed?limit=5&types=minecraft.player.quit', [tenant, user])).body!.items).toHaveLength(1);
      // An event through the API is announced: its feed.updated drops the cached pages on every instance.
      const created = await internalEvent(a, firstParty(user));
      expect(created.status).toBe(201);
      const fresh = await waitFor('the new event on the cached first page', async () => {
        const page = await get(b, '/v2/feed?limit=5', [tenant, user]);
        return ids(page).includes(created.body['id']) ? page : undefined;
      });
      expect(fresh.body!.items).toHaveLength(5);
    });

    it('keeps the cached page per language', async () => {
      const user = `cached-ru-${run}`;
      await seed(tenant, user, 1);
      const en = await get(b, '/v2/feed?limit=5', [tenant, user], { 'accept-language': 'en' });
      const ru = await get(b, '/v2/feed?limit=5', [tenant, user], { 'accept-language': 'ru' });
      expect(ru.headers.get('content-language')).toBe('ru');
      expect(ru.body!.items![0]!['summary']).not.toBe(en.body!.items![0]!['summary']);
      expect((await get(b, '/v2/feed?limit=5', [tenant, user], { 'accept-language': 'ru' })).body).toEqual(ru.body);
    });

    it('serves the feed and unread counts straight from PostgreSQL when Redis is unreachable', async () => {
      const user = `noredis-${run}`;
      await seed(tenant, user, 2);
      const isolated = await ServiceProcess.start('feed-api', environment.portBase + 15, { ...env, REDIS_URL: 'redis://127.0.0.1:1' }, { waitFor: 'live' });
      try {
        const page = await get(isolated, '/v2/feed?limit=5', [tenant, user]);
        expect(page.status).toBe(200);
        expect(page.body!.items).toHaveLength(2);
        await seed(tenant, user, 1, 'minecraft.player.quit', Date.UTC(2030, 0, 1));
        expect((await get(isolated, '/v2/feed?limit=5', [tenant, user])).body!.items).toHaveLength(3);
        expect((await get(isolated, '/v2/feed/unread-count', [tenant, user])).body).toEqual({ count: 3, capped: false });
      } finally {
        await isolated.stop();
      }
    });
  });

  describe('real time', () => {
    it('long-poll answers 204 at its timeout when nothing happens', async () => {
      const started = Date.now();
      const response = await get(a, '/v2/feed/poll?timeout=1', [tenant, `quiet-${run}`]);
      expect(response.status).toBe(204);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('long-poll answers at once when something newer than the cursor exists', async () => {
      const user = `behind-${run}`;
      await seed(tenant, user, 3);
      const page = await get(a, '/v2/feed?limit=1&types=minecraft.player.joined', [tenant, user]);
      await seed(tenant, user, 1, 'minecraft.player.quit', Date.UTC(2030, 0, 1));
      const response = await get(b, `/v2/feed/poll?timeout=20&cursor=${page.body!['headCursor']}`, [tenant, user]);
      expect(response.status).toBe(200);
      expect(response.body!.items!.map((item) => item['type'])).toEqual(['minecraft.player.quit']);
    });

    it('long-poll on one instance wakes on a real feed.updated caused through the other', async () => {
      const user = `waiter-${run}`;
      const poll = get(b, '/v2/feed/poll?timeout=25', [tenant, user]);
      await waitFor('the poll to be waiting', async () => (await metric(b, 'feed_realtime_waiters')) >= 1);
      const started = Date.now();
      const created = await internalEvent(a, firstParty(user));
      const response = await poll;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ trigger: 'updated', unread: { count: 1, capped: false } });
      expect(response.body!.items!.map((item) => item['id'])).toEqual([created.body['id']]);
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it("a mark-read on one device reaches the same user's long-poll on the other instance", async () => {
      const user = `twodevices-${run}`;
      await seed(tenant, user, 4);
      const poll = get(b, '/v2/feed/poll?timeout=25', [tenant, user]);
      await waitFor('the poll to be waiting', async () => (await metric(b, 'feed_realtime_waiters')) >= 1);
      await post(a, '/v2/feed/read', { all: true }, [tenant, user]);
      const response = await poll;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ trigger: 'read', items: [], unread: { count: 0, capped: false } });
    });

    it('a client that disconnects frees its waiter', async () => {
      const controller = new AbortController();
      const poll = fetch(`${b.url}/v2/feed/poll?timeout=25`, { headers: { authorization: `Bearer ${await token(tenant, `leaver-${run}`)}` }, signal: controller.signal }).catch(
        () => 'aborted',
      );
      await waitFor('the poll to be waiting', async () => (await metric(b, 'feed_realtime_waiters')) >= 1);
      controller.abort();
      expect(await poll).toBe('aborted');
      await waitFor('the waiter to be released', async () => (await metric(b, 'feed_realtime_waiters')) === 0);
    });

    it('SSE resumes after Last-Event-ID, then streams new events and unread changes', async () => {
      const user = `streamer-${run}`;
      await seed(tenant, user, 5);
      const ids = (await get(a, '/v2/feed?limit=100', [tenant, user])).body!.items!.map((item) => item['id'] as string).sort((x, y) => Number(x) - Number(y));
      const events = await openStream(b, [tenant, user], ids[2]!);
      try {
        await waitFor('the backlog after Last-Event-ID', () => events.received.filter((e) => e.event === 'activity').length === 2);
        expect(events.received.filter((e) => e.event === 'activity').map((e) => e.id)).toEqual([ids[3], ids[4]]);
        const created = await internalEvent(a, firstParty(user));
        await waitFor('the new event on the stream', () => events.received.some((e) => e.id === created.body['id']));
        await post(a, '/v2/feed/read', { all: true }, [tenant, user]);
        await waitFor('an unread update on the stream', () => events.received.some((e) => e.event === 'unread' && JSON.parse(e.data).count === 0));
      } finally {
        events.close();
      }
      await waitFor('the stream waiter to be released', async () => (await metric(b, 'feed_realtime_waiters')) === 0);
    });

    it("serves one user's streams from one query per new event", async () => {
      const user = `fan-${run}`;
      // An existing event written directly: nothing announces it, so only the new one below wakes the streams.
      await seed(tenant, user, 1);
      const [{ id: newest }] = (await admin.query(`SELECT max(id)::text AS id FROM activity_events WHERE tenant_id = $1 AND user_id = $2`, [tenant, user])) as Array<{
        id: string;
      }>;
      const streams = await Promise.all([0, 1, 2].map(() => openStream(b, [tenant, user], newest)));
      try {
        // Each stream has finished its opening flush once it sent its first unread count: all three now wait, in step.
        await waitFor('three streams settled', () => streams.every((stream) => stream.received.some((e) => e.event === 'unread')));
        const count = async (result: string) =>
          Number(new RegExp(`^feed_realtime_arrival_queries_total\\{result="${result}"\\} (\\d+)`, 'm').exec(await (await fetch(`${b.url}/metrics`)).text())?.[1] ?? 0);
        const before = { queried: await count('queried'), shared: await count('shared') };
        const created = await internalEvent(a, firstParty(user));
        await waitFor('the event on all three streams', () => streams.every((stream) => stream.received.some((e) => e.id === created.body['id'])));
        expect({ queried: (await count('queried')) - before.queried, shared: (await count('shared')) - before.shared }).toEqual({ queried: 1, shared: 2 });
      } finally {
        for (const stream of streams) stream.close();
      }
    });
  });

  describe('internal event intake', () => {
    it('accepts a signed event once; a retry with the same eventId is a no-op', async () => {
      const event = firstParty('alice');
      const created = await internalEvent(a, event);
      expect(created).toMatchObject({ status: 201, body: { status: 'created', eventId: event.eventId } });
      // A retry is signed again (an identical signature would be refused as a replay).
      const retry = await internalEvent(a, event, true, new Date(Date.now() + 1_000));
      expect(retry).toMatchObject({ status: 200, body: { status: 'duplicate' } });
      const feed = await get(a, '/v2/feed?types=platform.badge.awarded&limit=100');
      expect(feed.body!.items!.filter((item) => item['id'] === created.body['id'])).toHaveLength(1);
    });

    it('refuses unsigned, tampered and replayed calls, and invalid bodies', async () => {
      expect((await internalEvent(a, firstParty('alice'), false)).status).toBe(401);
      const body = JSON.stringify(firstParty('alice'));
      const headers = signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
      const send = (payload: string) => fetch(`${a.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
      expect((await send(body.replace('alice', 'mallory'))).status).toBe(401);
      expect((await send(body)).status).toBe(201);
      expect((await send(body)).status).toBe(401);
      const invalid = await internalEvent(a, firstParty('alice', { type: 'steam.fake', occurredAt: 'soon' }));
      expect(invalid.status).toBe(400);
      expect((invalid.body['errors'] as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['occurredAt', 'type']);
    });

    it('is not reachable with a player token', async () => {
      expect((await post(a, '/internal/v1/events', firstParty('alice'))).status).toBe(401);
    });
  });

  describe('tenant isolation', () => {
    it("a token of another tenant never reads, counts, marks or polls this tenant's events", async () => {
      const mine = await get(a, '/v2/feed?limit=5');
      const theirs: [string, string] = [otherTenant, 'alice'];
      const read = await get(a, '/v2/feed?limit=100', theirs);
      expect(read.body!.items).toHaveLength(5);
      const mineIds = new Set(mine.body!.items!.map((item) => item['id']));
      expect(read.body!.items!.some((item) => mineIds.has(item['id']))).toBe(false);
      expect((await get(a, `/v2/feed?limit=5&cursor=${mine.body!['nextCursor']}`, theirs)).status).toBe(400);
      expect((await get(a, `/v2/feed/poll?timeout=1&cursor=${mine.body!['headCursor']}`, theirs)).status).toBe(400);
      expect((await post(a, '/v2/feed/read', { eventId: mine.body!.items![0]!['id'] }, theirs)).status).toBe(404);
      expect((await post(a, '/v2/feed/read', { cursor: mine.body!['headCursor'] }, theirs)).status).toBe(400);
      expect((await get(a, '/v2/feed/unread-count', theirs)).body).toEqual({ count: 5, capped: false });
      expect((await get(a, '/v2/feed?scope=tenant', theirs)).status).toBe(403);
    });
  });

  describe('account links', () => {
    it('links a Minecraft UUID only with proof: players get a code to type in game, tenant admins link directly', async () => {
      const uuid = randomUUID().toUpperCase();
      const admin: [string, string] = ['demo', 'admin'];
      const crafter: [string, string] = ['demo', `crafter-${run}`];
      const thief: [string, string] = ['demo', `thief-${run}`];
      const claimed = await post(a, '/v2/accounts/minecraft', { account: uuid }, crafter);
      expect(claimed).toMatchObject({
        status: 202,
        body: { status: 'pending_confirmation', provider: 'minecraft', externalId: uuid.toLowerCase(), code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/) },
      });
      expect(claimed.body['instructions']).toContain(`/activity link ${claimed.body['code']}`);
      const inRussian = await fetch(`${a.url}/v2/accounts/minecraft`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(...crafter)}`, 'content-type': 'application/json', 'accept-language': 'ru' },
        body: JSON.stringify({ account: uuid }),
      });
      expect(((await inRussian.json()) as { instructions: string }).instructions).toMatch(/^Зайдите .* \/activity link [A-Z2-9]{4}-[A-Z2-9]{4}$/);
      // A claim is not a link, and a stranger's claim does not block the real owner.
      expect((await get(a, '/v2/accounts', crafter)).body).toEqual([]);
      expect((await post(a, '/v2/accounts/minecraft', { account: uuid }, thief)).status).toBe(202);
      // Players cannot skip the proof by naming a user.
      expect((await post(a, '/v2/accounts/minecraft', { account: uuid, userId: thief[1] }, thief)).status).toBe(403);
      const linked = await post(a, '/v2/accounts/minecraft', { account: uuid, userId: crafter[1] }, admin);
      expect(linked).toMatchObject({ status: 201, body: { provider: 'minecraft', externalId: uuid.toLowerCase(), status: 'active' } });
      expect((await post(a, '/v2/accounts/minecraft', { account: uuid.toLowerCase() }, thief)).body).toMatchObject({ status: 409, code: 'account_already_linked' });
      expect((await post(a, '/v2/accounts/minecraft', { account: 'not-a-uuid-but-long-enough-0000000' }, crafter)).status).toBe(400);
      const listed = await get(a, '/v2/accounts', crafter);
      expect(listed.body).toEqual([expect.objectContaining({ id: linked.body['id'], provider: 'minecraft' })]);
      // Minecraft does not sync: a manual sync is refused, not queued.
      expect((await post(a, `/v2/accounts/${linked.body['id']}/sync`, {}, crafter)).status).toBe(400);
      // Another player cannot see or revoke it.
      const foreign = await fetch(`${a.url}/v2/accounts/${linked.body['id']}`, { method: 'DELETE', headers: { authorization: `Bearer ${await token(...thief)}` } });
      expect(foreign.status).toBe(404);
      expect((await get(a, `/v2/accounts?userId=${crafter[1]}`, thief)).status).toBe(403);
      // The tenant admin (activity.accounts.manage) lists and revokes anyone's links.
      expect((await get(a, `/v2/accounts?userId=${crafter[1]}`, admin)).body).toEqual([expect.objectContaining({ id: linked.body['id'] })]);
      const revoked = await fetch(`${a.url}/v2/accounts/${linked.body['id']}`, { method: 'DELETE', headers: { authorization: `Bearer ${await token(...admin)}` } });
      expect(revoked.status).toBe(204);
      expect((await get(a, '/v2/accounts', crafter)).body).toEqual([]);
    });
  });

  describe('with the Access service (ACCESS_MODE=http)', () => {
    it('allows, denies, caches, and fails closed with 503 when Access is down', async () => {
      const secret = Buffer.from('feed-api-access-signing-secret').toString('base64');
      const fake = await FakeAccessServer.start(new Map([['feed-api', secret]]));
      const service = await ServiceProcess.start('feed-api', environment.portBase + 14, {
        ...env,
        ACCESS_MODE: 'http',
        ACCESS_URL: fake.url,
        ACCESS_KEY_ID: 'feed-api',
        ACCESS_KEY_SECRET: secret,
        ACCESS_TIMEOUT_MS: '300',
      });
      try {
        const granted: [string, string] = [`rbac-${run}`, 'alice'];
        fake.allow(granted[0], 'user:alice', 'activity.feed.read');
        expect((await get(service, '/v2/feed', granted)).status).toBe(200);
        const denied = await get(service, '/v2/feed', [`rbac-${run}`, 'bob']);
        expect(denied.status).toBe(403);
        expect(denied.body).toMatchObject({ code: 'forbidden', detail: 'You do not have the permission activity.feed.read.' });
        const calls = fake.calls;
        expect((await get(service, '/v2/feed/unread-count', granted)).status).toBe(200);
        expect(fake.calls).toBe(calls);
        await fake.stop();
        const down = await get(service, '/v2/feed', [`rbac-${run}`, 'carol']);
        expect(down.status).toBe(503);
        expect(down.headers.get('content-type')).toContain('application/problem+json');
        expect(down.body).toMatchObject({ code: 'dependency_unavailable', detail: 'The Access service is unavailable; nothing was accepted. Retry later.' });
      } finally {
        await service.stop();
        await fake.stop().catch(() => undefined);
      }
    });
  });

  describe('limits and documentation', () => {
    it('limits requests per user with 429, Retry-After and RateLimit headers', async () => {
      const limited = await ServiceProcess.start('feed-api', environment.portBase + 12, { ...env, FEED_RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const user: [string, string] = [tenant, `greedy-${run}`];
        const statuses = [];
        for (let i = 0; i < 4; i += 1) statuses.push(await get(limited, '/v2/feed/unread-count', user));
        expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
        expect(statuses[2]!.headers.get('ratelimit-remaining')).toBe('0');
        const refused = statuses[3]!;
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(refused.headers.get('ratelimit-limit')).toBe('3');
        expect(refused.body).toMatchObject({ code: 'rate_limited' });
        expect((await get(limited, '/v2/feed/unread-count', [tenant, `patient-${run}`])).status).toBe(200);
      } finally {
        await limited.stop();
      }
    });

    it('publishes OpenAPI 3.1 with v1 marked deprecated, and a UI', async () => {
      const document = (await (await fetch(`${a.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, { get?: { deprecated?: boolean } }> };
      expect(document.openapi).toBe('3.1.0');
      expect(document.paths['/v1/feed']!.get!.deprecated).toBe(true);
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/v2/feed', '/v2/feed/poll', '/v2/feed/stream', '/v2/feed/unread-count', '/v2/feed/read', '/internal/v1/events']),
      );
      const ui = await fetch(`${a.url}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('/docs/assets/init.js');
      expect(await (await fetch(`${a.url}/docs/assets/init.js`)).text()).toContain('/openapi.json');
      expect(ui.headers.get('content-security-policy')).toContain("default-src 'self'");
    });

    it('sends security headers and never a stack trace', async () => {
      const response = await fetch(`${a.url}/v2/feed`, { headers: { authorization: 'Bearer x.y.z' } });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      const text = await response.text();
      expect(text).not.toMatch(/\bat \w+ \(|node_modules|\.ts:\d+/);
      const tooBig = await fetch(`${a.url}/v2/feed/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(tenant, 'alice')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ all: true, pad: 'x'.repeat(70_000) }),
      });
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toMatchObject({ code: 'payload_too_large' });
    });

    it('says which token problem it is', async () => {
      const expired = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), {
        tenantId: tenant,
        userId: 'alice',
        issuer: 'activity-dev',
        audience: 'activity-service',
        ttlSeconds: 1,
      });
      const wrongAudience = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'alice', issuer: 'activity-dev', audience: 'someone-else' });
      const call = async (authorization?: string) => (await fetch(`${a.url}/v2/feed`, { headers: authorization ? { authorization } : {} })).json();
      // The leeway check below needs a token whose exp has passed: wait for the clock to pass it.
      const exp = (JSON.parse(Buffer.from(expired.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
      await waitFor('the one-second token to be past its exp', () => (Date.now() > exp * 1000 ? true : undefined), 5_000, 50);
      expect(await call()).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(await call(`Bearer ${wrongAudience}`)).toMatchObject({ status: 401, code: 'token_invalid', detail: 'The bearer token was rejected: wrong audience.' });
      expect(await call(`Bearer ${expired.slice(0, -4)}AAAA`)).toMatchObject({ status: 401, code: 'token_invalid' });
      // Expiry is checked with 30 s leeway, so a 1 s token is still accepted here.
      expect(await call(`Bearer ${expired}`)).toHaveProperty('items');
    });
  });

  async function metric(service: ServiceProcess, name: string): Promise<number> {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : NaN;
  }

  async function openStream(service: ServiceProcess, as: [string, string], lastEventId: string) {
    const received: Array<{ id?: string; event?: string; data: string }> = [];
    const authorization = `Bearer ${await token(...as)}`;
    const request = http.get(`${service.url}/v2/feed/stream`, { headers: { authorization, 'last-event-id': lastEventId, accept: 'text/event-stream' } });
    await new Promise<void>((resolve, reject) => {
      request.on('response', (response) => {
        expect(response.headers['content-type']).toContain('text/event-stream');
        let buffer = '';
        response.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const blocks = buffer.split('\n\n');
          buffer = blocks.pop() ?? '';
          for (const block of blocks) {
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              const match = /^(\w+): ?(.*)$/.exec(line);
              if (match) fields[match[1]!] = match[2]!;
            }
            if (fields['data'] !== undefined)
              received.push({ ...(fields['id'] ? { id: fields['id'] } : {}), ...(fields['event'] ? { event: fields['event'] } : {}), data: fields['data'] });
          }
        });
        resolve();
      });
      request.on('error', reject);
    });
    return { received, close: () => request.destroy() };
  }
});
