import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { openEventStream, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

interface Group {
  key: string;
  type: string;
  count: number;
  firstAt: string;
  lastAt: string;
  actorCount: number;
  summary: string;
  read: boolean;
  seen: boolean;
  samples: Array<{ id: string; occurredAt: string; object?: { name?: string } }>;
}

const DAY = '2026-11-20';
const at = (time: string, day = DAY) => `${day}T${time}Z`;

/**
 * GET /v2/feed?view=aggregated against a real feed-api and PostgreSQL, events recorded through
 * the internal intake (the same RecordActivity every connector uses): grouping by actor, target
 * and day; filters inside groups; pagination that stays stable while groups grow; each group's
 * read and seen state and the badge counting groups; tenants' rules; `group` events on SSE.
 */
describe('aggregated feed', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `groups-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const internalKey = { id: 'groups-key', secret: Buffer.from('groups-internal-secret-0123456789').toString('base64') };
  const policyFile = `.local/groups-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  let feedApi: ServiceProcess;
  let relay: ServiceProcess;

  async function record(userId: string, type: string, occurredAt: string, target?: string, actor = userId): Promise<string> {
    const body = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      tenantId: tenant,
      userId,
      type,
      occurredAt,
      actor: { type: 'Person', id: `platform:user:${actor}`, name: actor },
      object: { type: 'Object', id: `thing-${randomUUID()}`, name: `thing at ${occurredAt}` },
      ...(target ? { target: { type: 'Service', id: `platform:place:${target}`, name: target } } : {}),
      payload: {},
    });
    const headers = signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
    const response = await fetch(`${feedApi.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  const token = async (userId = 'alice') => issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId, issuer: 'activity-dev', audience: 'activity-service' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answers freely
  async function call(method: string, path: string, options: { user?: string; body?: unknown; locale?: string } = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${feedApi.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(options.user)}`,
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.locale ? { 'accept-language': options.locale } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const groups = async (query = '', user = 'alice', locale?: string) => {
    const answer = await call('GET', `/v2/feed?view=aggregated${query}`, { user, ...(locale ? { locale } : {}) });
    expect(answer.status).toBe(200);
    return answer.body as { groups: Group[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(
      policyFile,
      JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'], '*:service:groups-test': ['event-producer'] } }),
    );
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'groups-test', secret: internalKey.secret } }),
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    // The relay publishes feed.updated, which wakes the SSE stream.
    [feedApi, relay] = await Promise.all([
      ServiceProcess.start('feed-api', environment.portBase + 220, env),
      ServiceProcess.start('outbox-relay', environment.portBase + 221, env),
    ]);
    // alice: five achievements in TF2 and two in Dota on the day, one in TF2 the day before; three joins of Survival.
    for (const time of ['08:00:00', '09:00:00', '10:00:00', '11:00:00', '12:00:00']) await record('alice', 'platform.achievement.unlocked', at(time), 'TF2');
    for (const time of ['08:30:00', '13:00:00']) await record('alice', 'platform.achievement.unlocked', at(time), 'Dota');
    await record('alice', 'platform.achievement.unlocked', at('23:00:00', '2026-11-19'), 'TF2');
    for (const time of ['07:00:00', '07:30:00', '14:00:00']) await record('alice', 'platform.server.joined', at(time), 'Survival');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([feedApi?.stop(), relay?.stop()]);
  }, 60_000);

  it('groups by actor, target and day: counts, first and last time, distinct actors, newest samples, a plural summary', async () => {
    const { groups: page } = await groups('&samples=2');
    expect(page.map((group) => [group.type, group.count, group.lastAt])).toEqual([
      ['platform.server.joined', 3, '2026-11-20T14:00:00.000Z'],
      ['platform.achievement.unlocked', 2, '2026-11-20T13:00:00.000Z'],
      ['platform.achievement.unlocked', 5, '2026-11-20T12:00:00.000Z'],
      ['platform.achievement.unlocked', 1, '2026-11-19T23:00:00.000Z'],
    ]);
    const tf2 = page[2]!;
    expect(tf2).toMatchObject({ firstAt: '2026-11-20T08:00:00.000Z', actorCount: 1, read: false, seen: false });
    expect(tf2.samples.map((sample) => sample.occurredAt)).toEqual(['2026-11-20T12:00:00.000Z', '2026-11-20T11:00:00.000Z']);
    expect(tf2.summary).toMatch(/^alice: 5 events, the latest: /);
    expect((await groups('', 'alice', 'ru')).groups[2]!.summary).toMatch(/^alice: 5 событий, последнее: /);
    // bob sees none of it.
    expect((await groups('', 'bob')).groups).toEqual([]);
  });

  it('applies filters inside groups: the count, first and last time and summary are of the matching members', async () => {
    const { groups: late } = await groups(`&since=${at('10:30:00')}&types=platform.achievement.unlocked`);
    expect(late.map((group) => [group.count, group.firstAt, group.lastAt])).toEqual([
      [1, '2026-11-20T13:00:00.000Z', '2026-11-20T13:00:00.000Z'],
      [2, '2026-11-20T11:00:00.000Z', '2026-11-20T12:00:00.000Z'],
    ]);
    expect(late[1]!.summary).toMatch(/^alice: 2 events/);
    const { groups: early } = await groups(`&until=${at('09:30:00')}`);
    // Ordered by their last matching time; the 13:00 Dota unlock is cut off.
    expect(early.map((group) => [group.type, group.count, group.lastAt])).toEqual([
      ['platform.achievement.unlocked', 2, '2026-11-20T09:00:00.000Z'],
      ['platform.achievement.unlocked', 1, '2026-11-20T08:30:00.000Z'],
      ['platform.server.joined', 2, '2026-11-20T07:30:00.000Z'],
      ['platform.achievement.unlocked', 1, '2026-11-19T23:00:00.000Z'],
    ]);
  });

  it('paginates groups with a cursor that stays stable while groups grow: a grown group moves to the top and is not shown twice', async () => {
    const first = await groups('&limit=2');
    expect(first.groups.map((group) => [group.type, group.count])).toEqual([
      ['platform.server.joined', 3],
      ['platform.achievement.unlocked', 2],
    ]);
    // While the client reads: a group of the first page grows, a group of the next page grows past
    // everything (it moves to the top), and the last one gains an older member (it stays).
    await record('alice', 'platform.server.joined', at('15:00:00'), 'Survival');
    await record('alice', 'platform.achievement.unlocked', at('19:00:00'), 'TF2');
    await record('alice', 'platform.achievement.unlocked', at('23:30:00', '2026-11-19'), 'TF2');
    const second = await groups(`&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.groups.map((group) => [group.count, group.lastAt])).toEqual([[2, '2026-11-19T23:30:00.000Z']]);
    expect(second.nextCursor).toBeNull();
    const shown = [...first.groups, ...second.groups].map((group) => group.key);
    expect(new Set(shown).size).toBe(shown.length);
    // A fresh first page shows the grown groups on top, once each (once feed.updated has dropped the cached first page).
    await waitFor(
      'the grown groups on top',
      async () =>
        JSON.stringify((await groups('&limit=2')).groups.map((group) => group.lastAt)) === JSON.stringify(['2026-11-20T19:00:00.000Z', '2026-11-20T15:00:00.000Z']) || undefined,
      15_000,
    );
    expect((await groups('&limit=2')).groups.map((group) => group.count)).toEqual([6, 4]);
    // A cursor is bound to its filters.
    expect((await call('GET', `/v2/feed?view=aggregated&types=platform.server.joined&cursor=${encodeURIComponent(first.nextCursor!)}`)).status).toBe(400);
  });

  it('keeps read and seen per group, and the badge counts each unread group once', async () => {
    const before = (await call('GET', '/v2/feed/unread-count?view=aggregated')).body;
    expect(before).toEqual({ count: 4, unseen: 4, capped: false });
    // The plain badge counts events.
    expect((await call('GET', '/v2/feed/unread-count')).body.count).toBe(14);
    const [top] = (await groups()).groups;
    expect((await call('POST', `/v2/feed/groups/${top!.key}/read`)).body).toEqual({ key: top!.key, read: true, seen: true });
    expect((await call('GET', '/v2/feed/unread-count?view=aggregated')).body).toEqual({ count: 3, unseen: 3, capped: false });
    expect((await groups()).groups[0]).toMatchObject({ key: top!.key, read: true, seen: true });
    // A new member makes it unread again.
    await record('alice', 'platform.achievement.unlocked', at('19:30:00'), 'TF2');
    await waitFor('the group unread again', async () => (await groups()).groups[0]?.count === 7 || undefined, 15_000);
    expect((await groups()).groups[0]).toMatchObject({ key: top!.key, read: false, count: 7 });
    expect((await call('POST', '/v2/feed/seen')).body).toEqual({ unseen: 0 });
    expect((await call('GET', '/v2/feed/unread-count?view=aggregated')).body).toEqual({ count: 4, unseen: 0, capped: false });
    expect((await call('POST', '/v2/feed/read', { body: { all: true } })).status).toBe(200);
    expect((await call('GET', '/v2/feed/unread-count?view=aggregated')).body).toEqual({ count: 0, unseen: 0, capped: false });
    expect((await call('POST', '/v2/feed/groups/platform.nothing~1~0123456789abcdef/read')).status).toBe(404);
    expect((await call('POST', '/v2/feed/groups/not-a-key/seen')).status).toBe(404);
  });

  it('sends each grown group on the aggregated SSE stream', async () => {
    const stream = await openEventStream(`${feedApi.url}/v2/feed/stream?view=aggregated`, await token());
    expect(stream.status).toBe(200);
    try {
      await waitFor('the stream open', () => stream.events('unread').length > 0 || undefined, 10_000);
      await record('alice', 'platform.achievement.unlocked', at('20:00:00'), 'TF2');
      await waitFor('a group event', () => stream.events('group').length > 0 || undefined, 15_000);
      expect(stream.events('group')[0]).toMatchObject({ type: 'platform.achievement.unlocked', count: 8, lastAt: '2026-11-20T20:00:00.000Z', read: false });
      expect(stream.events('activity')).toHaveLength(1);
      // The unread event of an aggregated stream counts groups too.
      expect(stream.events('unread').at(-1)).toMatchObject({ groups: expect.objectContaining({ count: expect.any(Number) }) });
    } finally {
      await stream.close();
    }
  });

  it('answers an aggregated long-poll with the new events and the groups they joined', async () => {
    const { headCursor } = (await call('GET', '/v2/feed?limit=1')).body as { headCursor: string };
    const poll = call('GET', `/v2/feed/poll?view=aggregated&timeout=20&cursor=${encodeURIComponent(headCursor)}`);
    await record('alice', 'platform.achievement.unlocked', at('21:00:00'), 'TF2');
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(answer.body.items).toHaveLength(1);
    expect(answer.body.groups).toEqual([expect.objectContaining({ type: 'platform.achievement.unlocked', count: 9, lastAt: '2026-11-20T21:00:00.000Z' })]);
  });

  it('lets a tenant admin regroup a type (events written afterwards), and refuses what is not a rule', async () => {
    expect((await call('PUT', '/v2/feed/grouping-rules/platform.server.joined', { user: 'alice', body: { fields: ['actor'], windowSeconds: 3600 } })).status).toBe(403);
    const put = await call('PUT', '/v2/feed/grouping-rules/platform.server.joined', { user: 'steward', body: { fields: ['actor'], windowSeconds: 3600 } });
    expect(put).toEqual({ status: 200, body: { type: 'platform.server.joined', fields: ['actor'], windowSeconds: 3600 } });
    expect((await call('GET', '/v2/feed/grouping-rules', { user: 'steward' })).body.rules).toEqual({ 'platform.server.joined': { fields: ['actor'], windowSeconds: 3600 } });
    const bad = await call('PUT', '/v2/feed/grouping-rules/platform.server.joined', { user: 'steward', body: { fields: ['colour'], windowSeconds: 3600 }, locale: 'ru' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('до 4 разных имён');
    // Rules are read again within 30 s: the hour rule applies to joins written from then on.
    await waitFor(
      'the hourly rule in force',
      async () => {
        const day = `2026-11-${10 + Math.floor(Math.random() * 5)}`;
        await record('alice', 'platform.server.joined', at('20:05:00', day), 'Creative');
        await record('alice', 'platform.server.joined', at('20:55:00', day), 'Survival');
        await record('alice', 'platform.server.joined', at('21:05:00', day), 'Survival');
        const mine = (await groups(`&types=platform.server.joined&since=${day}T20:00:00Z&until=${day}T22:00:00Z`)).groups;
        return (mine.length === 2 && mine[1]!.count === 2) || undefined;
      },
      45_000,
      1_000,
    );
    expect((await call('DELETE', '/v2/feed/grouping-rules/platform.server.joined', { user: 'steward' })).status).toBe(204);
    expect((await call('DELETE', '/v2/feed/grouping-rules/platform.server.joined', { user: 'steward' })).status).toBe(404);
  }, 60_000);

  it('refuses aggregated tenant scope, too many samples and unknown views, each with a problem', async () => {
    for (const query of ['&scope=tenant', '&samples=11', '&samples=-1']) expect((await call('GET', `/v2/feed?view=aggregated${query}`, { user: 'steward' })).status).toBe(400);
    const unknown = await call('GET', '/v2/feed?view=grouped');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('validation_failed');
  });
});
