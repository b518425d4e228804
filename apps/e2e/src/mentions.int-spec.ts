import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { openEventStream, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';
import { feedApiCaller } from './fixtures/feed-api-caller';

interface Notification {
  id: string;
  kind: string;
  eventId: string;
  excerpt: string;
  summary: string;
  seen: boolean;
  read: boolean;
  actor: { name?: string };
}

/**
 * @mentions through the four services: handles registered by the platform, an internal event's
 * text notifying the users it names (not e-mail addresses, URLs or code, not the writer, never
 * another tenant's, at most MENTIONS_MAX_PER_MESSAGE), the notification feed with its counts and
 * marks synced live to the user's other SSE clients, and `notification.created` read by kcat.
 */
describe('@mention notifications, end to end', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `mentions-${run}`;
  const other = `mentions-other-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const internalKey = { id: 'mentions-key', secret: Buffer.from('mentions-internal-secret-0123456789').toString('base64') };
  const policyFile = `.local/mentions-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  const base = environment.portBase + 230;
  const services: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  const call = feedApiCaller(() => feedApi.url, keyDir, { tenantId: tenant, user: 'alice' });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answers freely
  async function internal(method: 'POST' | 'PUT', path: string, body: unknown): Promise<{ status: number; body: any }> {
    const text = JSON.stringify(body);
    const headers = signInternalRequest(internalKey, { method, pathWithQuery: path, body: text });
    const response = await fetch(`${feedApi.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: text });
    return { status: response.status, body: await response.json() };
  }
  const comment = async (tenantId: string, userId: string, text: string) => {
    const answer = await internal('POST', '/internal/v1/events', {
      eventId: `comment-${randomUUID()}`,
      tenantId,
      userId,
      type: 'platform.comment.posted',
      occurredAt: new Date().toISOString(),
      actor: { type: 'Person', id: `platform:user:${userId}`, name: userId },
      payload: { text },
    });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  const notifications = async (user: string, locale?: string) =>
    (await call('GET', '/v2/notifications', { user, ...(locale ? { locale } : {}) })).body as { items: Notification[]; nextCursor: string | null; headCursor: string | null };
  const counts = async (user: string) => (await call('GET', '/v2/notifications/counts', { user })).body as { unseen: number; unread: number };

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, '*:service:mentions-test': ['event-producer'] } }));
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'mentions-test', secret: internalKey.secret } }),
      OUTBOX_POLL_INTERVAL_MS: '200',
      MENTIONS_MAX_PER_MESSAGE: '3',
    };
    const stack = await ServiceProcess.startAll(base, env);
    feedApi = stack.feedApi;
    services.push(...stack.all);
    for (const [tenantId, userId, handle] of [
      [tenant, 'alice', 'alice'],
      [tenant, 'bob', 'bob'],
      [tenant, 'boris', 'Борис'],
      [tenant, 'carol', 'carol'],
      [tenant, 'dan', 'dan'],
      [tenant, 'erin', 'erin'],
      [other, 'dave', 'dave'],
      [other, 'alice2', 'alice'],
    ] as const) {
      expect((await internal('PUT', `/internal/v1/users/${userId}/handle`, { tenantId, handle })).status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
  }, 60_000);

  it('registers handles: one per user, not another user’s, only well-formed ones', async () => {
    const taken = await internal('PUT', '/internal/v1/users/mallory/handle', { tenantId: tenant, handle: 'ALICE' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('handle_taken');
    for (const handle of ['al ice', 'alice.', '@alice', '']) expect((await internal('PUT', '/internal/v1/users/mallory/handle', { tenantId: tenant, handle })).status).toBe(400);
    // Renaming is fine: the old handle is freed.
    expect((await internal('PUT', '/internal/v1/users/mallory/handle', { tenantId: tenant, handle: 'mal' })).status).toBe(200);
    expect((await internal('PUT', '/internal/v1/users/mallory/handle', { tenantId: tenant, handle: 'mallory' })).status).toBe(200);
    expect((await internal('PUT', '/internal/v1/users/trudy/handle', { tenantId: tenant, handle: 'mal' })).status).toBe(200);
  });

  it('notifies the users a comment names, and only them: not in e-mail, URLs or code, not the writer, not unknown names, not another tenant’s', async () => {
    const eventId = await comment(tenant, 'bob', 'gg @ALICE! thanks @bob, write to x@carol.example, see https://forum.example/@carol and `@carol`, ping @dave and @nobody');
    await waitFor('alice notified', async () => (await notifications('alice')).items.length === 1, 15_000);
    const [mention] = (await notifications('alice')).items;
    expect(mention).toMatchObject({ kind: 'mention', eventId, seen: false, read: false, actor: { name: 'bob' } });
    expect(mention!.excerpt).toContain('gg @ALICE!');
    expect(mention!.summary).toMatch(/^bob mentioned you: “gg @ALICE!/);
    expect((await notifications('alice', 'ru')).items[0]!.summary).toMatch(/^bob упоминает вас: «gg @ALICE!/);
    for (const user of ['bob', 'carol', 'dan']) expect((await notifications(user)).items).toEqual([]);
    expect(await counts('alice')).toEqual({ unseen: 1, unread: 1, capped: false });
    // In the other tenant, the same names are other people: nobody there was mentioned.
    expect((await call('GET', '/v2/notifications', { tenantId: other, user: 'dave' })).body.items).toEqual([]);
  });

  it('resolves unicode handles, and one message notifies at most MENTIONS_MAX_PER_MESSAGE (3) people', async () => {
    await comment(tenant, 'alice', 'спасибо @борис, @carol, @dan и @erin');
    await waitFor('three notified', async () => (await Promise.all(['boris', 'carol', 'dan'].map((user) => notifications(user)))).every((page) => page.items.length === 1), 15_000);
    // The fourth name is left as text.
    expect((await notifications('erin')).items).toEqual([]);
  });

  it('syncs seen and read live to the user’s other SSE clients, and pages with a cursor', async () => {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'alice', issuer: 'activity-dev', audience: 'activity-service' });
    const phone = await openEventStream(`${feedApi.url}/v2/feed/stream`, token);
    const laptop = await openEventStream(`${feedApi.url}/v2/feed/stream`, token);
    try {
      await waitFor('both streams open', () => (phone.events('unread').length > 0 && laptop.events('unread').length > 0) || undefined, 10_000);
      await comment(tenant, 'carol', 'hey @alice, raid tonight?');
      // (A stream may also be told of an earlier notification the instance's consumer hears late: clients key them by id.)
      const fromCarol = (stream: typeof phone) => stream.events('notification').find((notification) => (notification['actor'] as { name?: string }).name === 'carol');
      await waitFor('the notification on both', () => (fromCarol(phone) && fromCarol(laptop)) || undefined, 15_000);
      expect(fromCarol(phone)).toMatchObject({ kind: 'mention', excerpt: 'hey @alice, raid tonight?', read: false });
      await waitFor(
        'the counts on the laptop',
        () => JSON.stringify(laptop.events('notification.counts').at(-1)) === JSON.stringify({ unseen: 2, unread: 2, capped: false }) || undefined,
        10_000,
      );

      const page = await call('GET', '/v2/notifications?limit=1');
      expect(page.body.items).toHaveLength(1);
      const older = await call('GET', `/v2/notifications?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
      expect(older.body.items[0].actor.name).toBe('bob');
      expect(older.body.nextCursor).toBeNull();

      // Seen on the phone (all): the laptop's badge follows.
      expect((await call('POST', '/v2/notifications/seen', { body: { all: true } })).body).toEqual({ changed: 2, counts: { unseen: 0, unread: 2, capped: false } });
      await waitFor('the laptop told', () => laptop.events('notification.counts').at(-1)?.['unseen'] === 0 || undefined, 10_000);
      // Read one, then up to a cursor.
      expect((await call('POST', '/v2/notifications/read', { body: { id: older.body.items[0].id } })).body.counts).toEqual({ unseen: 0, unread: 1, capped: false });
      expect((await call('POST', '/v2/notifications/read', { body: { cursor: page.body.headCursor } })).body.counts).toEqual({ unseen: 0, unread: 0, capped: false });
      await waitFor('the laptop told of the reads', () => laptop.events('notification.counts').at(-1)?.['unread'] === 0 || undefined, 10_000);
      expect((await notifications('alice')).items.every((item) => item.read && item.seen)).toBe(true);
    } finally {
      await phone.close();
      await laptop.close();
    }
  });

  it('refuses marks that name nothing, several things, or someone else’s notification', async () => {
    const bobs = await comment(tenant, 'alice', 'hi @bob');
    expect(bobs).toBeDefined();
    await waitFor('bob notified', async () => (await notifications('bob')).items.length === 1, 15_000);
    const bobNotification = (await notifications('bob')).items[0]!;
    expect((await call('POST', '/v2/notifications/read', { body: { id: bobNotification.id } })).status).toBe(404);
    expect((await call('POST', '/v2/notifications/read', { body: {} })).status).toBe(400);
    expect((await call('POST', '/v2/notifications/read', { body: { id: bobNotification.id, all: true } })).status).toBe(400);
    expect((await call('GET', '/v2/notifications?cursor=forged.cursorcursorcursor')).status).toBe(400);
  });

  it('publishes notification.created, which a plain kcat consumer reads with the documented headers and a schema-valid payload', async () => {
    const schema = (JSON.parse(readFileSync('docs/asyncapi.json', 'utf8')) as { components: { messages: { notificationCreatedV1: { payload: object } } } }).components.messages
      .notificationCreatedV1.payload;
    const ajv = new Ajv({ strict: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const records = await waitFor(
      'the notifications on the topic',
      async () => {
        const kcat = await promisify(execFile)(
          'kcat',
          ['-b', environment.kafkaBrokers, '-C', '-t', `${environment.topicPrefix}notification.created`, '-o', 'beginning', '-e', '-q', '-J'],
          {
            timeout: 30_000,
            maxBuffer: 64 * 1024 * 1024,
          },
        ).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') throw new Error('kcat is not installed (Debian package kcat); .ci/run installs it');
          throw error;
        });
        const ours = kcat.stdout
          .trim()
          .split('\n')
          .filter((line) => line.includes(`"${tenant}:alice"`))
          .map((line) => JSON.parse(line) as { key: string; payload: string; headers: string[] })
          .filter((record) => record.key === `${tenant}:alice`);
        return ours.length >= 2 ? ours : undefined;
      },
      20_000,
      500,
    );
    for (const record of records) {
      const headers: Record<string, string> = {};
      for (let i = 0; i < record.headers.length; i += 2) headers[record.headers[i]!] = record.headers[i + 1]!;
      expect(headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'dev.activity.notification.created.v1', ce_tenantid: tenant, 'content-type': 'application/json' });
      const payload = JSON.parse(record.payload) as Record<string, unknown>;
      expect(validate(payload)).toBe(true);
      expect(payload).toMatchObject({ tenantId: tenant, userId: 'alice', kind: 'mention' });
    }
  });
});
