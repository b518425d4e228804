import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { createDataSource } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment } from '@activity/testing';

interface SearchAnswer {
  items: Array<{ id: string; summary: string; snippet: string; score: number; type: string; actor: { name: string } }>;
  nextCursor: string | null;
  language: string;
}

/**
 * GET /v2/feed/search against a real feed-api and PostgreSQL: events are recorded through the
 * internal intake (the same RecordActivity every connector uses), so their search text is what
 * production writes.
 */
describe('feed search', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const tenant = `search-${run}`;
  const other = `search-other-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const internalKey = { id: 'search-key', secret: Buffer.from('search-internal-secret-0123456789').toString('base64') };
  const policyFile = `.local/search-policy-${process.pid}.json`;
  const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
  let feedApi: ServiceProcess;
  let admin: DataSource;

  async function record(tenantId: string, userId: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
    const body = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      tenantId,
      userId,
      type: 'platform.post.created',
      occurredAt: new Date().toISOString(),
      actor: { type: 'Person', id: `platform:user:${userId}`, name: userId },
      payload,
      ...extra,
    });
    const headers = signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
    const response = await fetch(`${feedApi.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function search(
    query: string,
    as: { tenantId?: string; userId?: string; language?: string } = {},
  ): Promise<{ status: number; body: SearchAnswer & { errors?: Array<{ message: string }> } }> {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), {
      tenantId: as.tenantId ?? tenant,
      userId: as.userId ?? 'alice',
      issuer: 'activity-dev',
      audience: 'activity-service',
    });
    const response = await fetch(`${feedApi.url}/v2/feed/search?${query}`, {
      headers: { authorization: `Bearer ${token}`, ...(as.language ? { 'accept-language': as.language } : {}) },
    });
    return { status: response.status, body: (await response.json()) as never };
  }
  const q = (text: string, rest = '') => `q=${encodeURIComponent(text)}${rest}`;

  beforeAll(async () => {
    mkdirSync('.local', { recursive: true });
    writeFileSync(
      policyFile,
      JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${tenant}:user:steward`]: ['tenant-admin'], '*:service:search-test': ['event-producer'] } }),
    );
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'search-test' }).initialize();
    feedApi = await ServiceProcess.start('feed-api', environment.portBase + 170, {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      // Its own caller: the per-caller request budget is shared through Redis with other suites.
      INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'search-test', secret: internalKey.secret } }),
    });
    await record(tenant, 'alice', { text: 'alice unlocked the Diamonds achievement on Survival' });
    await record(tenant, 'alice', { text: 'Алиса получила новые достижения в игре' });
    await record(
      tenant,
      'alice',
      { text: '<script>alert(1)</script> fish & chips < tacos: raids are dangerous' },
      { object: { type: 'Object', id: 'raid', name: 'Brunhildegard raid' } },
    );
    await record(tenant, 'bob', { text: 'bob unlocked a secret door' });
    await record(other, 'alice', { text: 'another community unlocked everything' });
  }, 120_000);

  afterAll(async () => {
    await feedApi?.stop();
    await admin?.destroy();
  }, 60_000);

  it('stems English ("unlock" finds "unlocked") and highlights the match', async () => {
    const answer = await search(q('unlock'));
    expect(answer.status).toBe(200);
    expect(answer.body.items).toHaveLength(1);
    expect(answer.body.items[0]!.snippet).toContain('<mark>unlocked</mark>');
    expect(answer.body.items[0]!.score).toBeGreaterThan(0);
  });

  it('stems Russian ("достижение" finds "достижения"), with the language from Accept-Language, lang, or both when unknown', async () => {
    for (const [language, query] of [
      ['ru', q('достижение')],
      [undefined, q('достижение')],
      [undefined, q('достижение', '&lang=ru')],
    ] as const) {
      const answer = await search(query, language ? { language } : {});
      expect(answer.body.items.map((item) => item.snippet)).toEqual([expect.stringContaining('<mark>достижения</mark>')]);
    }
    expect((await search(q('достижение'), { language: 'ru' })).body.language).toBe('ru');
    expect((await search(q('достижение'))).body.language).toBe('any');
    expect((await search(q('unlock'), { language: 'en-GB,en;q=0.8' })).body.language).toBe('en');
  });

  it('matches names by prefix, and escapes the event’s own text in snippets', async () => {
    const answer = await search(q('brunhil'));
    expect(answer.body.items).toHaveLength(1);
    expect(answer.body.items[0]!.snippet).toContain('<mark>Brunhildegard</mark>');
    const raid = await search(q('raids'));
    // Markup in the event's text never reaches the snippet as markup: tags are dropped by ts_headline, the rest is escaped.
    expect(raid.body.items[0]!.snippet).toContain('fish &amp; chips');
    expect(raid.body.items[0]!.snippet).not.toContain('<script');
    expect(raid.body.items[0]!.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('finds only the caller’s events, a tenant reader the tenant’s, never another tenant’s', async () => {
    expect((await search(q('unlocked'))).body.items).toHaveLength(1);
    expect((await search(q('unlocked'), { userId: 'bob' })).body.items.map((item) => item.snippet)).toEqual([expect.stringContaining('secret door')]);
    expect((await search(q('unlocked', '&scope=tenant'))).status).toBe(403);
    expect((await search(q('unlocked', '&scope=tenant'), { userId: 'steward' })).body.items).toHaveLength(2);
    expect((await search(q('unlocked'), { tenantId: other })).body.items.map((item) => item.snippet)).toEqual([expect.stringContaining('another community')]);
  });

  it('applies the feed’s filters: types and the time window', async () => {
    await record(tenant, 'alice', { text: 'a filtered unlock story' }, { type: 'platform.story.told', occurredAt: '2026-01-15T10:00:00Z' });
    expect((await search(q('unlock', '&types=platform.story.told'))).body.items.map((item) => item.type)).toEqual(['platform.story.told']);
    expect((await search(q('unlock', '&until=2026-02-01T00:00:00Z'))).body.items).toHaveLength(1);
    expect((await search(q('unlock', '&since=2026-02-01T00:00:00Z'))).body.items).toHaveLength(1);
    expect((await search(q('unlock', '&types=minecraft.player.joined'))).body.items).toEqual([]);
  });

  it('pages are disjoint and complete, and stay so while matching events arrive', async () => {
    for (let i = 0; i < 25; i += 1) await record(tenant, 'carol', { text: `pagination marathon entry ${i}` });
    const first = await search(q('marathon', '&limit=10'), { userId: 'carol' });
    expect(first.body.items).toHaveLength(10);
    // New matches arrive between pages: they are not in this search, and nothing shifts.
    for (let i = 0; i < 5; i += 1) await record(tenant, 'carol', { text: `late marathon entry ${i}` });
    const second = await search(q('marathon', `&limit=10&cursor=${encodeURIComponent(first.body.nextCursor!)}`), { userId: 'carol' });
    const third = await search(q('marathon', `&limit=10&cursor=${encodeURIComponent(second.body.nextCursor!)}`), { userId: 'carol' });
    expect(third.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items, ...third.body.items].map((item) => item.id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    // Scores never increase down the pages.
    const scores = [...first.body.items, ...second.body.items, ...third.body.items].map((item) => item.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // A new search sees the late ones, the newest first among equals.
    const fresh = await search(q('marathon', '&limit=50'), { userId: 'carol' });
    expect(fresh.body.items).toHaveLength(30);
    expect(fresh.body.items[0]!.snippet).toContain('late');
    // A cursor is bound to its search.
    expect((await search(q('entry', `&cursor=${encodeURIComponent(first.body.nextCursor!)}`), { userId: 'carol' })).status).toBe(400);
  });

  it('the index lookup that bypasses row-level security answers only for the calling transaction’s tenant, and nothing without one', async () => {
    const app = await createDataSource({ url: environment.databaseUrl, applicationName: 'search-test-app' }).initialize();
    try {
      const call = `SELECT id::text FROM search_activity_event_ids(to_tsquery('russian', 'unlocked'), NULL, NULL, NULL, NULL, 9223372036854775807, 100)`;
      await expect(app.query(call)).rejects.toThrow(/app\.tenant_id/);
      const ids = await app.transaction(async (tx) => {
        await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [other]);
        return ((await tx.query(call)) as Array<{ id: string }>).map((row) => row.id);
      });
      const owners = (await admin.query(`SELECT DISTINCT tenant_id FROM activity_events WHERE id = ANY($1::bigint[])`, [ids])) as Array<{ tenant_id: string }>;
      expect(ids.length).toBeGreaterThan(0);
      expect(owners.map((row) => row.tenant_id)).toEqual([other]);
    } finally {
      await app.destroy();
    }
  });

  it('events stored before search existed are found once npm run search:backfill wrote their search text', async () => {
    await admin.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, occurred_at, payload)
       VALUES ($1, 'alice', 'legacy', $2, 'platform.post.created', '{"type":"Person","id":"p","name":"alice"}', now(), '{"text":"an old zanzibarian chronicle"}')`,
      [tenant, `legacy-${randomUUID()}`],
    );
    expect((await search(q('zanzibarian'))).body.items).toEqual([]);
    const { stdout } = await promisify(execFile)(process.execPath, ['dist/tools/search-backfill.js', '--batch', '5000'], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_ADMIN_URL: environment.adminDatabaseUrl },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/search:backfill: \d+ events now searchable/);
    expect((await search(q('zanzibarian'))).body.items.map((item) => item.snippet)).toEqual([expect.stringContaining('<mark>zanzibarian</mark>')]);
  }, 180_000);

  it('no input breaks the query: quotes, operators, prefixes, unbalanced parentheses, 10 KB', async () => {
    for (const hostile of [
      "'unlocked",
      'unlocked\'"',
      '!unlocked',
      'unlocked & | !',
      'unlock:*',
      '((unlocked',
      'unlocked))) <->',
      "'; DROP TABLE activity_events; --",
      `${'unlocked '.repeat(1_100)}`,
    ]) {
      const answer = await search(q(hostile));
      expect({ hostile: hostile.slice(0, 20), status: answer.status }).toEqual({ hostile: hostile.slice(0, 20), status: 200 });
    }
    // Operators are ignored, not obeyed: the same results as the words alone.
    expect((await search(q('unlocked & | !'))).body.items.map((item) => item.id)).toEqual((await search(q('unlocked'))).body.items.map((item) => item.id));
    const noWords = await search(q('!&|:*()'), { language: 'ru' });
    expect(noWords.status).toBe(400);
    expect(noWords.body.errors![0]!.message).toBe('в q должно быть хотя бы одно слово (буквы или цифры)');
    expect((await search('')).status).toBe(400);
  });
});
