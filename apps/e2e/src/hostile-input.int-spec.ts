import { randomUUID } from 'node:crypto';
import net from 'node:net';
import fc from 'fast-check';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { signStandardWebhook } from '@activity/connector-sdk';
import { createKafka, EventPublisher, eventTypeOf, KafkaProbe, newCloudEvent, toKafkaHeaders, Topic, type TopicName, TopicNames } from '@activity/messaging';
import { createDataSource, SeedData } from '@activity/persistence';
import { FakeSteamServer, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * Property-based hostile input against the four real services: 1,000 generated cases per HTTP
 * route and for the webhook intake, and 1,000 generated message bodies per consumed topic.
 * Asserted: no 5xx; every 4xx is a localised problem+json; every 202 is in the feed exactly
 * once; poison goes to the DLQ with its original bytes and does not hold its partition.
 */
describe('hostile input (property-based)', () => {
  const RUNS = 1_000;
  const environment = testEnvironment();
  const tenant = `hostile-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const secret = 'whsec_aG9zdGlsZS1pbnB1dC10ZXN0LXNpZ25pbmctc2VjcmV0';
  const player = 'f00d0000-0000-4000-8000-00000000f00d';
  const keyDir = `.local/test-keys-${process.pid}`;
  const encryptionKey = Buffer.alloc(32, 7).toString('base64');
  const internalKey = { id: 'hostile-key', secret: Buffer.from('hostile-input-internal-secret!!').toString('base64') };
  const env = {
    ...serviceEnvironment(environment),
    JWT_DEV_KEY_DIR: keyDir,
    SECRETS_ENCRYPTION_KEY: encryptionKey,
    SECRETS_ENCRYPTION_KEY_ID: 'hostile',
    // A caller of its own: the per-caller budget is counted in the shared Redis, and thousands of
    // hostile requests must not use up another suite's budget for the next minute.
    INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'achievements', secret: internalKey.secret } }),
    // The limits are tested elsewhere; here thousands of requests from one address must reach the handlers.
    FEED_RATE_LIMIT_PER_MINUTE: '1000000',
    FEED_AUTH_FAILURES_PER_MINUTE: '1000000',
    HTTP_REQUEST_TIMEOUT_MS: '2000',
  };
  const services: ServiceProcess[] = [];
  let steam: FakeSteamServer;
  let dataSource: DataSource;
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  let token: string;
  let pollCursor: string;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'hostile-test' }).initialize();
    const seed = new SeedData(dataSource, { keyId: 'hostile', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'Hostile server' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'victim', provider: 'minecraft', externalId: player });
    steam = await FakeSteamServer.start();
    steam.addFixturePlayer();
    const withSteam = { ...env, STEAM_API_BASE_URL: steam.url, STEAM_API_KEY: steam.apiKey, STEAM_OPENID_URL: `${steam.url}/openid/login` };
    const base = environment.portBase + 60;
    [feedApi, gateway] = await Promise.all([ServiceProcess.start('feed-api', base, withSteam), ServiceProcess.start('ingest-gateway', base + 1, withSteam)]);
    services.push(
      feedApi,
      gateway,
      ...(await Promise.all([ServiceProcess.start('connector-workers', base + 2, withSteam), ServiceProcess.start('outbox-relay', base + 3, withSteam)])),
    );
    token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'victim', issuer: 'activity-dev', audience: 'activity-service' });
    // Two events, and the head cursor of the older one: a valid long-poll from there answers at once
    // (the newer one is waiting), so 1,000 polls do not each wait out their timeout.
    await dataSource.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, occurred_at, payload)
       VALUES ($1, 'victim', 'seed', 'older', 'platform.seed.older', '{"type":"Person","id":"p"}', now() - interval '1 minute', '{}'),
              ($1, 'victim', 'seed', 'newer', 'platform.seed.newer', '{"type":"Person","id":"p"}', now(), '{}')`,
      [tenant],
    );
    const older = (await (await fetch(`${feedApi.url}/v2/feed?limit=1&types=platform.seed.older`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      headCursor: string;
    };
    pollCursor = older.headCursor;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await steam?.stop();
    await dataSource?.destroy();
  }, 60_000);

  // ---- generators -------------------------------------------------------------------------

  const nasty = fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00',
    "' OR 1=1 --",
    '"; DROP TABLE activity_events; --',
    '%',
    '%zz',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '2026-W01-1',
    '20261126',
    '2026-11-26T10Z',
    '2026-11-26T10:00:00,5Z',
    '-2026-01-01',
    '0000-01-01T00:00:00Z',
    '2026-12-31T23:59:60Z',
    '9999-12-31T23:59:59Z',
    '9999999999999999999',
    '-1',
    '0',
    '1e400',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    'a'.repeat(10_000),
    '😀',
    'минecraft.player.joined',
    '!&|:*()',
  );
  const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
  const deep = fc.integer({ min: 60, max: 3_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown);
  const json = fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 1, arbitrary: deep }, { weight: 2, arbitrary: text });
  const queryOf = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), text, { maxKeys: 4 });
  const locale = fc.constantFrom('en', 'ru', 'ru-RU,ru;q=0.9', 'de', '*', '', 'en;q=0');
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant('valid') },
    {
      weight: 1,
      arbitrary: fc.oneof(
        text,
        fc.constant('Bearer '),
        fc.string({ maxLength: 60 }).map((t) => `Bearer ${t}`),
      ),
    },
  );

  // ---- assertions -------------------------------------------------------------------------

  /** No 5xx; every 4xx a problem+json, in Russian when Russian was asked for first. */
  async function expectHandled(response: Response, what: string, lang?: string): Promise<void> {
    const body = await response.text();
    expect([what, response.status < 500 ? 'not 5xx' : `${response.status} ${body.slice(0, 300)}`]).toEqual([what, 'not 5xx']);
    if (response.status >= 400) {
      expect([what, response.headers.get('content-type')]).toEqual([what, expect.stringContaining('application/problem+json')]);
      const problem = JSON.parse(body) as { status: number; code: string; title: string };
      expect([what, problem.status, typeof problem.code, typeof problem.title]).toEqual([what, response.status, 'string', 'string']);
      expect(['en', 'ru']).toContain(response.headers.get('content-language'));
      if (lang?.startsWith('ru')) expect([what, response.headers.get('content-language'), /[А-Яа-я]/.test(problem.title)]).toEqual([what, 'ru', true]);
    }
  }

  /** Long-lived answers (poll, SSE) are cut after their headers: only the status matters here. */
  async function request(path: string, init: RequestInit & { auth?: string; lang?: string; stream?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.lang !== undefined) headers.set('accept-language', init.lang);
    // A header value fetch itself refuses (control bytes) never reaches the server; raw bytes in headers are tested over a socket.
    if (init.auth !== undefined) headers.set('authorization', init.auth === 'valid' ? `Bearer ${token}` : sendableHeader(init.auth));
    const response = await fetch(`${feedApi.url}${path}`, { ...init, headers, ...(init.stream ? { signal: AbortSignal.timeout(5_000) } : {}) });
    if (init.stream && response.status === 200) {
      await response.body?.cancel();
      return new Response(null, { status: 200 });
    }
    return response;
  }

  const sendableHeader = (value: string) => (/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value) ? value : `Bearer ${Buffer.from(value).toString('base64url')}`);
  const qs = (query: Record<string, string>) => new URLSearchParams(query).toString();
  const property = <T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>) => fc.assert(fc.asyncProperty(arbitrary, check), { numRuns: RUNS });

  // ---- HTTP routes ------------------------------------------------------------------------

  it.each([
    ['/v2/feed', ['types', 'since', 'until', 'scope', 'limit', 'cursor']],
    ['/v1/feed', ['types', 'since', 'until', 'scope', 'page', 'pageSize']],
    ['/v2/feed/unread-count', ['scope']],
    ['/v2/accounts', ['userId']],
    ['/v2/accounts/steam/openid/callback', ['state', 'openid.mode', 'openid.claimed_id', 'openid.return_to', 'openid.sig']],
  ])(
    'GET %s: any query, token and language gets 200 or a localised 4xx problem',
    async (path, keys) => {
      await property(fc.tuple(queryOf(keys), authorization, locale), async ([query, auth, lang]) => {
        await expectHandled(await request(`${path}?${qs(query)}`, { auth, lang }), `${path} ${JSON.stringify(query)}`, lang);
      });
    },
    300_000,
  );

  it.each([
    ['/v2/feed/poll', ['cursor', 'scope', 'timeout']],
    ['/v2/feed/stream', ['lastEventId', 'scope']],
  ])(
    'GET %s: any query gets a stream/poll or a localised 4xx problem',
    async (path, keys) => {
      const defaults: Record<string, string> = path === '/v2/feed/poll' ? { cursor: pollCursor, timeout: '1' } : { lastEventId: '1' };
      // A valid long-poll resumes from the older seeded event and answers at once; SSE is cut as soon as it answers.
      let answered = 0;
      await property(fc.tuple(queryOf(keys), authorization, locale, fc.option(text, { nil: undefined })), async ([query, auth, lang, lastEventId]) => {
        const headers: Record<string, string> = {};
        if (lastEventId !== undefined && /^[\x20-\x7e]*$/.test(lastEventId)) headers['last-event-id'] = lastEventId;
        const response = await request(`${path}?${qs({ ...defaults, ...query })}`, { auth, lang, headers, stream: true });
        if (response.status === 200) answered += 1;
        await expectHandled(response, `${path} ${JSON.stringify(query)}`, lang);
      });
      // The generated cases really reached the stream and the poll, not only their validation.
      expect(answered).toBeGreaterThan(RUNS / 10);
    },
    600_000,
  );

  it.each([
    ['POST', '/v2/feed/read'],
    ['POST', '/v2/accounts/minecraft'],
    ['POST', '/v2/accounts/steam'],
    ['POST', '/v2/accounts/steam/openid'],
    ['POST', `/v2/accounts/${randomUUID()}/sync`],
  ])(
    '%s %s: any JSON body gets an answer below 500, 4xx as a localised problem',
    async (method, path) => {
      const body = fc.oneof(
        json.map((value) => JSON.stringify(value)),
        fc.record({ eventId: json, cursor: json, all: json, account: json, userId: json }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 50 }),
      );
      await property(fc.tuple(body, authorization, locale), async ([payload, auth, lang]) => {
        await expectHandled(await request(path, { method, body: payload, auth, lang, headers: { 'content-type': 'application/json' } }), `${path} ${payload.slice(0, 200)}`, lang);
      });
    },
    300_000,
  );

  it('path parameters: any id in /v2/accounts/{id} routes gets a localised 4xx problem', async () => {
    const segment = fc.oneof(
      { weight: 4, arbitrary: fc.oneof(text, fc.string({ minLength: 150, maxLength: 400 })).map((id) => encodeURIComponent(Buffer.from(id, 'utf8').toString('utf8'))) },
      { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%ED%A0%80') },
    );
    await property(fc.tuple(segment, fc.constantFrom('DELETE', 'GET', 'POST'), locale), async ([id, method, lang]) => {
      const path = method === 'DELETE' ? `/v2/accounts/${id}` : method === 'GET' ? `/v2/accounts/${id}/sync-runs` : `/v2/accounts/${id}/sync`;
      const response = await request(path, { method, auth: 'valid', lang });
      await expectHandled(response, `${method} ${path.slice(0, 100)}`, lang);
    });
  }, 300_000);

  it('POST /internal/v1/events: signed bodies of any shape are stored or refused with a 4xx; re-encoded signatures are replays', async () => {
    const event = fc.record(
      {
        eventId: fc.oneof(fc.uuid(), text),
        tenantId: fc.oneof(fc.constant(tenant), text),
        userId: fc.oneof(fc.constant('victim'), text),
        type: fc.oneof(fc.constant('platform.badge.awarded'), text),
        occurredAt: fc.oneof(
          fc.constant(new Date().toISOString()),
          text,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        actor: fc.oneof(fc.record({ type: fc.constant('Person'), id: text, name: text }), json),
        payload: json,
      },
      { requiredKeys: [] },
    );
    await property(fc.tuple(event, locale, fc.constantFrom('as-is', 'unpadded', 'url-alphabet', 'extra-padding')), async ([value, lang, spelling]) => {
      const body = JSON.stringify(value);
      const headers = signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
      const send = (signature: string) =>
        fetch(`${feedApi.url}/internal/v1/events`, {
          method: 'POST',
          body,
          headers: { ...headers, 'x-activity-signature': signature, 'content-type': 'application/json', 'accept-language': lang },
        });
      const first = await send(headers['x-activity-signature']!);
      const firstCode = first.status === 400 ? ((await first.clone().json()) as { code: string }).code : undefined;
      await expectHandled(first, `internal ${body.slice(0, 200)}`, lang);
      const signature = headers['x-activity-signature']!;
      const respelled =
        spelling === 'unpadded'
          ? signature.replace(/=+$/, '')
          : spelling === 'url-alphabet'
            ? signature.replace(/\+/g, '-').replace(/\//g, '_')
            : spelling === 'extra-padding'
              ? `${signature}=`
              : signature;
      const replay = await send(respelled);
      await expectHandled(replay, `internal replay ${spelling}`, lang);
      // A body refused while parsing never reached the signature check, so its replay is refused the same way;
      // anything that was authenticated is a replay, however its signature is spelled.
      expect([spelling, replay.status]).toEqual([spelling, firstCode === 'malformed_json' ? 400 : 401]);
    });
  }, 300_000);

  // ---- what Node and Fastify refuse before any route ------------------------------------

  /** Writes raw bytes and reads the whole answer (the server closes these connections). */
  function raw(port: number, chunks: Array<string | Buffer>, pauseMs = 0): Promise<{ status: number; headers: Record<string, string>; body: string; elapsedMs: number }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk) => received.push(chunk));
      // A write after the server closed fails; 'close' still follows and carries what was answered.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        const text = Buffer.concat(received).toString('utf8');
        const [head = '', body = ''] = text.split('\r\n\r\n');
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body, elapsedMs: Date.now() - started });
      });
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (pauseMs) await new Promise((done) => setTimeout(done, pauseMs));
        }
      })();
    });
  }

  it.each([
    ['a request line that is not HTTP', ['GET /v2/feed HTTP/1.1\r\nAccept-Language: ru\r\nX-Bad: a\u0001b\r\n\r\n'], 400, 'bad_request', 'ru'],
    ['headers larger than the server accepts', [`GET /v2/feed HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], 431, 'header_fields_too_large', 'en'],
    [
      'a path that is not valid percent-encoding',
      ['GET /v2/accounts/%E0%A4%A/sync-runs HTTP/1.1\r\nHost: x\r\nAccept-Language: ru\r\nConnection: close\r\n\r\n'],
      400,
      'bad_request',
      'ru',
    ],
    ['a path parameter beyond 200 characters', [`DELETE /v2/accounts/${'a'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], 414, 'uri_too_long', 'en'],
  ] as const)('%s is a localised problem+json', async (_what, chunks, status, code, language) => {
    const answer = await raw(Number(new URL(feedApi.url).port), [...chunks]);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.headers['content-language']).toBe(language);
    expect(JSON.parse(answer.body)).toMatchObject({ status, code });
  });

  it('a body trickling in is cut off with 408 once the request timeout passes', async () => {
    const headers = 'POST /v2/feed/read HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    // One byte every 500 ms would take 50 s; the service allows 2 s for the whole request.
    const answer = await raw(Number(new URL(feedApi.url).port), [headers, ...Array.from({ length: 100 }, () => ' ')], 500);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408, code: 'request_timeout' });
    expect(answer.elapsedMs).toBeLessThan(10_000);
  }, 30_000);

  // ---- webhook intake ---------------------------------------------------------------------

  it('POST /v1/webhooks/minecraft/{source}: signed bodies of any shape get 202 or a 4xx problem, and every 202 is in the feed exactly once', async () => {
    const accepted: string[] = [];
    const delivery = fc.record(
      {
        type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('player.joined', 'player.quit', 'player.death', 'player.advancement') }, { weight: 1, arbitrary: text }),
        occurredAt: fc.oneof(
          { weight: 3, arbitrary: fc.constant('now') },
          { weight: 1, arbitrary: text },
          { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
        ),
        server: fc.oneof(
          { weight: 4, arbitrary: fc.record({ id: fc.oneof(fc.constant('survival-1'), text), name: fc.oneof(fc.constant('Survival'), text) }) },
          { weight: 1, arbitrary: json },
        ),
        player: fc.oneof({ weight: 4, arbitrary: fc.record({ uuid: fc.constant(player), name: fc.oneof(fc.constant('victim_mc'), text) }) }, { weight: 1, arbitrary: json }),
        data: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.record({
              advancement: fc.record({ key: fc.string({ minLength: 1, maxLength: 30 }), title: fc.string({ minLength: 1, maxLength: 30 }) }),
              message: fc.string({ minLength: 1, maxLength: 60 }),
            }),
          },
          { weight: 1, arbitrary: fc.record({ advancement: fc.record({ key: text, title: text }), message: text }) },
          { weight: 1, arbitrary: json },
        ),
        extra: fc.oneof({ weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: json }),
      },
      { requiredKeys: ['type', 'occurredAt', 'server', 'player'] },
    );
    const id = fc.oneof({ weight: 8, arbitrary: fc.constant('fresh') }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: fc.constant('x'.repeat(3_000)) });
    const skew = fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 100_000 }) });
    const tampered = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
    await property(fc.tuple(delivery, id, skew, locale, tampered), async ([value, idChoice, skewSeconds, lang, tamper]) => {
      const body = JSON.stringify({ ...value, ...(value.occurredAt === 'now' ? { occurredAt: new Date().toISOString() } : {}) });
      const deliveryId = idChoice === 'fresh' ? `msg_${randomUUID()}` : idChoice;
      const timestamp = Math.floor(Date.now() / 1000) + skewSeconds;
      let signature: string;
      try {
        signature = signStandardWebhook(secret, deliveryId, timestamp, body);
      } catch {
        signature = 'v1,AAAA';
      }
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'accept-language': lang,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': tamper ? `v1,${signature.slice(3, -4)}AAA=` : signature,
      };
      if (/^[\x20-\x7e]*$/.test(deliveryId)) headers['webhook-id'] = deliveryId;
      const response = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, { method: 'POST', body, headers });
      const clone = response.clone();
      await expectHandled(response, `webhook ${body.slice(0, 200)}`, lang);
      if (response.status === 202 && ((await clone.json()) as { status: string }).status === 'accepted') accepted.push(headers['webhook-id']!);
    });
    // Enough of them plausible that exactly-once is checked on hundreds of deliveries.
    expect(accepted.length).toBeGreaterThan(RUNS / 10);
    // Every acknowledged delivery reaches the database, exactly once.
    await waitFor(
      `all ${accepted.length} acknowledged deliveries stored`,
      async () => {
        const [{ count }] = await dataSource.query(
          `SELECT count(DISTINCT source_event_id)::int AS count FROM activity_events WHERE tenant_id = $1 AND source = 'minecraft' AND source_event_id = ANY($2::text[])`,
          [tenant, accepted],
        );
        return count === accepted.length;
      },
      120_000,
      500,
    );
    const rows: Array<{ source_event_id: string; n: number }> = await dataSource.query(
      `SELECT source_event_id, count(*)::int AS n FROM activity_events WHERE tenant_id = $1 AND source = 'minecraft' AND source_event_id = ANY($2::text[]) GROUP BY 1 HAVING count(*) <> 1`,
      [tenant, accepted],
    );
    expect(rows).toEqual([]);
    // ...and into the player's feed.
    const minecraftTypes = 'minecraft.player.joined,minecraft.player.quit,minecraft.player.death,minecraft.player.advancement';
    const feed = (await (await fetch(`${feedApi.url}/v2/feed?limit=100&types=${minecraftTypes}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: unknown[];
    };
    expect(feed.items.length).toBe(Math.min(100, accepted.length));
  }, 600_000);

  // ---- Kafka message bodies ---------------------------------------------------------------

  it.each([Topic.WebhookReceived, Topic.SyncRequested, Topic.AccountLinked, Topic.FeedUpdated] as TopicName[])(
    '%s: generated bodies go to the DLQ with their original bytes, and a good message behind them is still handled',
    async (topic) => {
      const probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}${topic}.dlq`]);
      const producer = new EventPublisher(
        createKafka({ brokers: environment.kafkaBrokers, clientId: 'hostile-producer' }, pino({ level: 'silent' })),
        new TopicNames(environment.topicPrefix),
      );
      try {
        const bodies = fc.sample(
          fc.oneof(
            json.map((value) => Buffer.from(JSON.stringify(value) ?? 'undefined')),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
            fc.record({ tenantId: json, userId: json, accountLinkId: json, connector: json, body: json }, { requiredKeys: [] }).map((value) => Buffer.from(JSON.stringify(value))),
          ),
          RUNS,
        );
        const run = randomUUID();
        const messages = bodies.map((value, index) => ({
          key: index % 7 === 0 ? null : Buffer.from(`${run}:${index}`),
          value,
          headers: toKafkaHeaders(newCloudEvent({ id: `${run}-${index}`, type: eventTypeOf(topic), source: '/hostile', subject: String(index), tenantId: tenant })),
        }));
        for (let i = 0; i < messages.length; i += 200) await producer.publish(messages.slice(i, i + 200).map((message) => ({ topic, ...message })));
        const dead = await waitFor(
          `all ${RUNS} poison messages in ${topic}.dlq`,
          () => {
            const seen = new Map(probe.messages.filter((m) => m.headers['ce_id']?.startsWith(run)).map((m) => [m.headers['ce_id']!, m]));
            return seen.size === RUNS ? seen : undefined;
          },
          120_000,
          500,
        );
        messages.forEach((message, index) => {
          const captured = dead.get(`${run}-${index}`)!;
          expect(captured.rawValue?.equals(message.value)).toBe(true);
          expect(captured.rawKey === null ? null : captured.rawKey.toString()).toBe(message.key?.toString() ?? null);
          expect(captured.headers['dlq_reason']).toBeTruthy();
        });
      } finally {
        await producer.disconnect();
        await probe.stop();
      }
      // A good delivery after all that poison is still handled promptly.
      if (topic === Topic.WebhookReceived) {
        const deliveryId = `msg_${randomUUID()}`;
        const body = JSON.stringify({ type: 'player.joined', occurredAt: new Date().toISOString(), server: { id: 'survival-1' }, player: { uuid: player, name: 'victim_mc' } });
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': deliveryId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signStandardWebhook(secret, deliveryId, timestamp, body),
          },
        });
        expect(response.status).toBe(202);
        await waitFor(
          'the good delivery stored',
          async () => ((await dataSource.query(`SELECT 1 FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`, [tenant, deliveryId])).length ? true : undefined),
          10_000,
        );
      }
    },
    300_000,
  );
});
