import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { migrateDatabase } from '@activity/persistence';
import { PostgresReplicaPair, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * feed-api with a real streaming replica: a primary and a replica made for this test
 * (initdb + pg_basebackup), replay paused on the replica to make it lag on purpose.
 */
describe('feed-api with a streaming replica', () => {
  const environment = testEnvironment();
  const keyDir = `.local/test-keys-${process.pid}`;
  // The development policy makes demo's "admin" a tenant admin; this database is the test's own.
  const tenant = 'demo';
  const database = 'activity_replica_test';
  let pair: PostgresReplicaPair;
  let primary: Client;
  let replica: Client;
  let patient: ServiceProcess;
  let strict: ServiceProcess;

  beforeAll(async () => {
    pair = await PostgresReplicaPair.start(environment.portBase + 91, environment.portBase + 92);
    await migrateDatabase(pair.url('primary', 'postgres', database));
    primary = new Client({ connectionString: pair.url('primary', 'postgres', database) });
    await primary.connect();
    replica = await waitFor('the replica to have the database', async () => {
      const client = new Client({ connectionString: pair.url('replica', 'postgres', database) });
      try {
        await client.connect();
        await client.query('SELECT 1 FROM schema_migrations LIMIT 1');
        return client;
      } catch {
        await client.end().catch(() => undefined);
        return undefined;
      }
    });
    const env = {
      ...serviceEnvironment(environment),
      DATABASE_URL: pair.url('primary', 'activity_app', database),
      DATABASE_REPLICA_URL: pair.url('replica', 'activity_app', database),
      JWT_DEV_KEY_DIR: keyDir,
      ACCESS_POLICY_FILE: `${process.cwd()}/libs/auth/src/policies/default-policy.json`,
    };
    [patient, strict] = await Promise.all([
      ServiceProcess.start('feed-api', environment.portBase + 93, { ...env, FEED_REPLICA_MAX_LAG_MS: '600000' }),
      ServiceProcess.start('feed-api', environment.portBase + 94, { ...env, FEED_REPLICA_MAX_LAG_MS: '300' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await replica?.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await Promise.all([patient, strict].map((service) => service?.stop()));
    await primary?.end();
    await replica?.end();
    await pair?.stop();
  }, 60_000);

  async function call(service: ServiceProcess, method: string, path: string, user: string, body?: unknown) {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: user, issuer: 'activity-dev', audience: 'activity-service' });
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Every page of a user's feed after the first, through cursors: the reads that may go to the replica. */
  async function laterPages(service: ServiceProcess, user: string): Promise<string[]> {
    const first = await call(service, 'GET', '/v2/feed?limit=10', user);
    const ids: string[] = [];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const page = await call(service, 'GET', `/v2/feed?limit=10&cursor=${cursor}`, user);
      ids.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    }
    return ids;
  }

  const replicaReads = async (service: ServiceProcess) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('db_replica_routing_total{') && l.includes('target="replica"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  async function insertEvent(user: string, occurredAt: string): Promise<string> {
    const { rows } = await primary.query<{ id: string }>(
      `INSERT INTO activity_events (tenant_id, user_id, source, source_event_id, type, actor, occurred_at, payload)
       VALUES ($1, $2, 'seed', $3, 'minecraft.player.joined', '{"type":"Person","id":"p","name":"p"}', $4, '{}') RETURNING id::text`,
      [tenant, user, randomUUID(), occurredAt],
    );
    return rows[0]!.id;
  }

  it('reads later pages from the replica, falls back to the primary past the lag bound, and shows a caller its own writes at once', async () => {
    const user = 'alice';
    for (let i = 0; i < 25; i += 1) await insertEvent(user, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString());
    await waitFor(
      'the replica to replay the events',
      async () => (await replica.query(`SELECT count(*)::int AS n FROM activity_events WHERE user_id = $1`, [user])).rows[0].n === 25,
    );
    expect(await laterPages(patient, user)).toHaveLength(15);
    expect(await replicaReads(patient)).toBeGreaterThan(0);

    // The replica stops replaying; the primary moves on with an old event (it belongs on a later page).
    await replica.query('SELECT pg_wal_replay_pause()');
    const hidden = await insertEvent(user, '2020-01-01T00:00:00Z');
    // Within its 10-minute bound, the patient instance still reads the replica: the event is not there yet.
    expect(await laterPages(patient, user)).not.toContain(hidden);
    // Past its 300 ms bound, the strict instance reads the primary.
    await waitFor('the strict instance to fall back to the primary', async () => (await laterPages(strict, user)).includes(hidden));

    // Read-your-writes: an admin links an account for bob; bob sees it at once, although the replica has not replayed it.
    const linked = await call(patient, 'POST', '/v2/accounts/minecraft', 'admin', { account: randomUUID(), userId: 'bob' });
    expect(linked.status).toBe(201);
    expect((await replica.query(`SELECT count(*)::int AS n FROM account_links WHERE user_id = 'bob'`)).rows[0].n).toBe(0);
    expect((await call(patient, 'GET', '/v2/accounts', 'bob')).body).toEqual([expect.objectContaining({ id: linked.body.id })]);

    await replica.query('SELECT pg_wal_replay_resume()');
    await waitFor('the replica to catch up and serve the event', async () => (await laterPages(patient, user)).includes(hidden));
  });
});
