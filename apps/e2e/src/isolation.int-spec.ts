import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { signStandardWebhook } from '@activity/connector-sdk';
import { createDataSource, SeedData } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment } from '@activity/testing';

/**
 * Tenant and user isolation, tried from outside on every route that takes a tenant's or a user's
 * data, and from inside on every table: as the services' role, under row-level security.
 * Tenant "one" has alice, bob and a tenant admin (steward); tenant "two" has carol.
 */
describe('isolation between tenants and users, on every route and table', () => {
  const environment = testEnvironment();
  const run = Date.now().toString(36);
  const one = `iso1-${run}`;
  const two = `iso2-${run}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const policyFile = `.local/isolation-policy-${process.pid}.json`;
  const encryptionKey = Buffer.alloc(32, 5).toString('base64');
  const secrets = { one: 'whsec_aXNvbGF0aW9uLW9uZS1zZWNyZXQtMDAwMQ==', two: 'whsec_aXNvbGF0aW9uLXR3by1zZWNyZXQtMDAwMg==' };
  const players = { alice: 'a1100000-0000-4000-8000-0000000000a1', carol: 'ca200000-0000-4000-8000-0000000000c2' };
  let admin: DataSource;
  let feedApi: ServiceProcess;
  let gateway: ServiceProcess;
  const links: Record<string, string> = {};
  const eventIds: Record<string, string[]> = {};

  const token = async (tenantId: string, userId: string) =>
    issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId, userId, issuer: 'activity-dev', audience: 'activity-service' });

  async function call(method: string, path: string, as: [string, string], body?: unknown): Promise<{ status: number; body: Record<string, unknown> | undefined; text: string }> {
    const response = await fetch(`${feedApi.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(...as)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
  }

  /** `count` events of a user (null: unlinked) with a marker in their payload naming whose they are. */
  async function seedEvents(tenantId: string, userId: string | null, count: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await admin.query(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, occurred_at, payload)
       SELECT $1, $2, 'seed', $3 || g, 'minecraft.player.joined', jsonb_build_object('type', 'Person', 'id', 'p', 'name', coalesce($2, 'stranger')),
              now() - make_interval(secs => g), jsonb_build_object('owner', $1 || '/' || coalesce($2, 'nobody'))
         FROM generate_series(1, $4::int) g
       RETURNING id::text`,
      [tenantId, userId, `${randomUUID()}-`, count],
    );
    return rows.map((row) => row.id);
  }

  const owners = (items: unknown) => [...new Set((items as Array<{ payload: { owner?: string } }>).map((item) => item.payload.owner ?? 'other'))].sort();

  beforeAll(async () => {
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'isolation-test' }).initialize();
    const defaultPolicy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
    mkdirSync('.local', { recursive: true });
    writeFileSync(
      policyFile,
      JSON.stringify({ ...defaultPolicy, subjects: { ...defaultPolicy.subjects, [`${one}:user:steward`]: ['tenant-admin'], [`${two}:user:warden`]: ['tenant-admin'] } }),
    );
    const seed = new SeedData(admin, { keyId: 'isolation', key: encryptionKey });
    await seed.webhookSource({ tenantId: one, connector: 'minecraft', sourceId: `src-${one}`, name: 'One' }, secrets.one);
    await seed.webhookSource({ tenantId: two, connector: 'minecraft', sourceId: `src-${two}`, name: 'Two' }, secrets.two);
    links['alice'] = await seed.accountLink({ tenantId: one, userId: 'alice', provider: 'minecraft', externalId: players.alice });
    links['bob'] = await seed.accountLink({ tenantId: one, userId: 'bob', provider: 'minecraft', externalId: 'b0b00000-0000-4000-8000-0000000000b0' });
    links['carol'] = await seed.accountLink({ tenantId: two, userId: 'carol', provider: 'minecraft', externalId: players.carol });
    for (const [tenantId, user] of [
      [one, 'alice'],
      [one, 'bob'],
      [two, 'carol'],
    ] as const)
      eventIds[user] = await seedEvents(tenantId, user, 3);
    eventIds['one-unlinked'] = await seedEvents(one, null, 2);
    eventIds['two-unlinked'] = await seedEvents(two, null, 2);
    await admin.query(`INSERT INTO sync_runs (tenant_id, account_link_id, connector, trigger, status) VALUES ($1, $2, 'minecraft', 'manual', 'succeeded')`, [two, links['carol']]);
    await admin.query(
      `INSERT INTO feed_read_markers (tenant_id, user_id, last_read_event_id, last_read_occurred_at) SELECT tenant_id, user_id, id, occurred_at FROM activity_events WHERE id = $1`,
      [eventIds['carol']![0]],
    );
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}`,
      SECRETS_ENCRYPTION_KEY: encryptionKey,
      SECRETS_ENCRYPTION_KEY_ID: 'isolation',
    };
    [feedApi, gateway] = await Promise.all([
      ServiceProcess.start('feed-api', environment.portBase + 150, env),
      ServiceProcess.start('ingest-gateway', environment.portBase + 151, env),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([feedApi, gateway].map((service) => service?.stop()));
    await admin?.destroy();
  }, 60_000);

  describe('routes', () => {
    it('GET /v2/feed and /v1/feed: a player sees only their own events, never another user’s or tenant’s', async () => {
      expect(owners((await call('GET', '/v2/feed?limit=100', [one, 'alice'])).body!['items'])).toEqual([`${one}/alice`]);
      expect(owners((await call('GET', '/v1/feed?page_size=100', [one, 'alice'])).body!['items'])).toEqual([`${one}/alice`]);
      expect(owners((await call('GET', '/v2/feed?limit=100', [two, 'carol'])).body!['items'])).toEqual([`${two}/carol`]);
      // The same user id in another tenant is another person with an empty feed.
      expect((await call('GET', '/v2/feed?limit=100', [two, 'alice'])).body!['items']).toEqual([]);
    });

    it('GET /v2/feed?scope=tenant: forbidden to players; a tenant admin gets every user and unlinked event of their own tenant only', async () => {
      expect((await call('GET', '/v2/feed?scope=tenant', [one, 'alice'])).status).toBe(403);
      const tenantFeed = await call('GET', '/v2/feed?scope=tenant&limit=100', [one, 'steward']);
      expect(tenantFeed.status).toBe(200);
      expect(owners(tenantFeed.body!['items'])).toEqual([`${one}/alice`, `${one}/bob`, `${one}/nobody`]);
      expect((tenantFeed.body!['items'] as unknown[]).length).toBe(8);
      expect(owners((await call('GET', '/v2/feed?scope=tenant&limit=100', [two, 'warden'])).body!['items'])).toEqual([`${two}/carol`, `${two}/nobody`]);
    });

    it('GET /v2/feed/unread-count and /v2/feed/poll count and return only the caller’s events', async () => {
      expect((await call('GET', '/v2/feed/unread-count', [one, 'alice'])).body).toEqual({ count: 3, capped: false });
      // Carol's marker (tenant two) sits on her first-stored event: two unread, whatever tenant one does.
      expect((await call('GET', '/v2/feed/unread-count', [two, 'carol'])).body).toEqual({ count: 2, capped: false });
      // A head cursor one item back: the poll answers at once with what is newer, bob's only.
      const headOneBack = async (as: [string, string]) => {
        const first = await call('GET', '/v2/feed?limit=1', as);
        return (await call('GET', `/v2/feed?limit=1&cursor=${encodeURIComponent(String(first.body!['nextCursor']))}`, as)).body!['headCursor'] as string;
      };
      const poll = await call('GET', `/v2/feed/poll?timeout=1&cursor=${encodeURIComponent(await headOneBack([one, 'bob']))}`, [one, 'bob']);
      expect(poll.status).toBe(200);
      expect(owners(poll.body!['items'])).toEqual([`${one}/bob`]);
      // Alice's cursor in bob's hands (or carol's) is refused, not read as bob's.
      const alices = await headOneBack([one, 'alice']);
      for (const as of [
        [one, 'bob'],
        [two, 'carol'],
      ] as Array<[string, string]>) {
        const stolen = await call('GET', `/v2/feed/poll?timeout=1&cursor=${encodeURIComponent(alices)}`, as);
        expect({ as, status: stolen.status }).toEqual({ as, status: 400 });
      }
    });

    it('POST /v2/feed/read with another user’s or tenant’s event id moves no marker', async () => {
      for (const foreign of [eventIds['bob']![0]!, eventIds['carol']![0]!]) {
        const response = await call('POST', '/v2/feed/read', [one, 'alice'], { eventId: foreign });
        expect({ foreign, status: response.status }).toEqual({ foreign, status: 404 });
      }
      const markers: Array<{ tenant_id: string; user_id: string }> = await admin.query(`SELECT tenant_id, user_id FROM feed_read_markers WHERE tenant_id IN ($1, $2)`, [one, two]);
      expect(markers).toEqual([{ tenant_id: two, user_id: 'carol' }]);
      expect((await call('GET', '/v2/feed/unread-count', [two, 'carol'])).body).toEqual({ count: 2, capped: false });
    });

    it('/v2/accounts: lists, revokes, syncs and shows sync runs of the caller’s own links only; a tenant admin reaches only their tenant', async () => {
      const mine = await call('GET', '/v2/accounts', [one, 'alice']);
      expect((mine.body as unknown as Array<{ id: string }>).map((link) => link.id)).toEqual([links['alice']]);
      // Another user's list needs the manage permission; a tenant admin asking for a user of another tenant gets nothing.
      expect((await call('GET', '/v2/accounts?userId=bob', [one, 'alice'])).status).toBe(403);
      expect((await call('GET', '/v2/accounts?userId=carol', [one, 'steward'])).body).toEqual([]);
      for (const [as, link] of [
        [[one, 'alice'], links['bob']],
        [[one, 'alice'], links['carol']],
        [[one, 'steward'], links['carol']],
      ] as Array<[[string, string], string]>) {
        expect({ as, link, status: (await call('DELETE', `/v2/accounts/${link}`, as)).status }).toEqual({ as, link, status: 404 });
        expect({ as, link, status: (await call('POST', `/v2/accounts/${link}/sync`, as)).status }).toEqual({ as, link, status: 404 });
        expect({ as, link, status: (await call('GET', `/v2/accounts/${link}/sync-runs`, as)).status }).toEqual({ as, link, status: 404 });
      }
      const statuses: Array<{ status: string }> = await admin.query(`SELECT status FROM account_links WHERE id = ANY($1::uuid[])`, [[links['bob'], links['carol']]]);
      expect(statuses.map((row) => row.status)).toEqual(['active', 'active']);
      expect(await admin.query(`SELECT count(*)::int AS n FROM sync_runs WHERE account_link_id = $1`, [links['carol']])).toEqual([{ n: 1 }]);
    });

    it('POST /v1/webhooks: a delivery to one tenant’s source signed with another tenant’s secret is refused (401)', async () => {
      const body = JSON.stringify({
        type: 'player.joined',
        occurredAt: new Date().toISOString(),
        server: { id: 's', name: 'S' },
        player: { uuid: players.carol, name: 'carol' },
      });
      const id = `msg_${randomUUID()}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const crossSigned = await fetch(`${gateway.url}/v1/webhooks/minecraft/src-${one}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(secrets.two, id, timestamp, body),
        },
        body,
      });
      expect(crossSigned.status).toBe(401);
    });
  });

  describe('tables, as the services’ role under row-level security', () => {
    let app: Client;

    beforeAll(async () => {
      app = new Client({ connectionString: environment.databaseUrl });
      await app.connect();
    });

    afterAll(async () => {
      await app?.end();
    });

    /** Runs `sql` in a transaction scoped to `tenant` (or to none), always rolled back. */
    async function asTenant<T>(tenant: string | null, work: () => Promise<T>): Promise<T> {
      await app.query('BEGIN');
      try {
        if (tenant) await app.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
        return await work();
      } finally {
        await app.query('ROLLBACK');
      }
    }

    const count = async (table: string, tenant: string) => Number((await app.query(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [tenant])).rows[0].n);

    // Every table with tenant rows, with a way to write a row of `tenant` into it.
    const tables: Record<string, (tenant: string) => Promise<unknown>> = {
      activity_events: (tenant) =>
        app.query(`INSERT INTO activity_events (tenant_id, source, source_event_id, type, actor, occurred_at) VALUES ($1, 'x', $2, 't', '{}', now())`, [tenant, randomUUID()]),
      account_links: (tenant) => app.query(`INSERT INTO account_links (tenant_id, user_id, provider, external_id) VALUES ($1, 'u', 'minecraft', $2)`, [tenant, randomUUID()]),
      feed_read_markers: (tenant) =>
        app.query(`INSERT INTO feed_read_markers (tenant_id, user_id, last_read_event_id, last_read_occurred_at) VALUES ($1, $2, 1, now())`, [tenant, randomUUID()]),
      sync_runs: (tenant) =>
        app.query(`INSERT INTO sync_runs (tenant_id, account_link_id, connector, trigger, status) VALUES ($1, $2, 'minecraft', 'manual', 'succeeded')`, [tenant, links['carol']]),
      account_link_claims: (tenant) =>
        app.query(`INSERT INTO account_link_claims (tenant_id, user_id, provider, external_id, secret_hash, expires_at) VALUES ($1, 'u', 'minecraft', $2, $2, now())`, [
          tenant,
          randomUUID(),
        ]),
      webhook_sources: (tenant) => app.query(`INSERT INTO webhook_sources (connector, id, tenant_id, name) VALUES ('minecraft', $2, $1, 'n')`, [tenant, randomUUID()]),
      webhook_source_secrets: (tenant) =>
        app.query(`INSERT INTO webhook_source_secrets (connector, source_id, tenant_id, ciphertext, key_id) VALUES ('minecraft', $2, $1, 'c', 'k')`, [tenant, `src-${tenant}`]),
      upstream_subscriptions: (tenant) =>
        app.query(
          `INSERT INTO upstream_subscriptions (account_link_id, kind, tenant_id, connector, source_id, upstream_id, status) VALUES ($2, $3, $1, 'twitch', 's', 'u', 'enabled')`,
          [tenant, links['carol'], randomUUID()],
        ),
      feed_groups: (tenant) =>
        app.query(`INSERT INTO feed_groups (tenant_id, user_id, group_key, type, event_count, first_at, last_at, last_event_id) VALUES ($1, 'u', $2, 't', 1, now(), now(), 1)`, [
          tenant,
          randomUUID(),
        ]),
      feed_grouping_rules: (tenant) =>
        app.query(`INSERT INTO feed_grouping_rules (tenant_id, type, fields, window_seconds) VALUES ($1, $2, '{actor}', 3600)`, [tenant, `platform.${randomUUID().slice(0, 8)}`]),
      user_handles: (tenant) => app.query(`INSERT INTO user_handles (tenant_id, handle_key, handle, user_id) VALUES ($1, $2, $2, $2)`, [tenant, randomUUID()]),
      notifications: (tenant) =>
        app.query(
          `WITH e AS (INSERT INTO activity_events (tenant_id, source, source_event_id, type, actor, occurred_at) VALUES ($1, 'x', $2, 't', '{}', now()) RETURNING id)
           INSERT INTO notifications (tenant_id, user_id, kind, event_id, actor, excerpt) SELECT $1, 'u', 'mention', e.id, '{}', 'hi @u' FROM e`,
          [tenant, randomUUID()],
        ),
      webhook_source_unmatched: (tenant) =>
        app.query(`INSERT INTO webhook_source_unmatched (connector, source_id, tenant_id, deliveries) VALUES ('minecraft', $2, $1, 1)`, [tenant, `src-${tenant}`]),
    };

    it('every table with a tenant_id column is under forced row-level security, except the outbox the relay drains for all tenants', async () => {
      const { rows } = await app.query<{ table_name: string; rls: boolean; forced: boolean }>(
        `SELECT c.table_name, k.relrowsecurity AS rls, k.relforcerowsecurity AS forced
           FROM information_schema.columns c JOIN pg_class k ON k.relname = c.table_name AND k.relkind = 'r'
          WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' ORDER BY c.table_name`,
      );
      const unprotected = rows.filter((row) => !row.rls || !row.forced).map((row) => row.table_name);
      expect(unprotected).toEqual(['outbox']);
      // …and this test writes to each protected one below: a new table must be added there.
      expect(rows.map((row) => row.table_name).filter((name) => name !== 'outbox')).toEqual(Object.keys(tables).sort());
    });

    it.each(Object.keys(tables))('%s: a tenant sees none of another tenant’s rows, cannot write one, and with no tenant sees nothing', async (table) => {
      // Tenant two's row, written (and committed) in a transaction of tenant two: it is there for sure.
      await app.query('BEGIN');
      await app.query(`SELECT set_config('app.tenant_id', $1, true)`, [two]);
      await tables[table]!(two);
      await app.query('COMMIT');
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [two]))[0].n).toBeGreaterThan(0);
      await asTenant(one, async () => {
        expect(await count(table, two)).toBe(0);
        await expect(tables[table]!(two)).rejects.toThrow(/row-level security/);
      });
      await asTenant(one, async () => {
        // Writing its own tenant's row works (the policy is not simply "deny all").
        await expect(tables[table]!(one)).resolves.toBeDefined();
        expect(await count(table, one)).toBeGreaterThan(0);
      });
      await asTenant(null, async () => {
        expect(Number((await app.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)).toBe(0);
        await expect(tables[table]!(one)).rejects.toThrow(/row-level security/);
      });
    });
  });
});
