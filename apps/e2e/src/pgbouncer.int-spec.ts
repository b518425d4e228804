import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { signStandardWebhook } from '@activity/connector-sdk';
import { KafkaProbe } from '@activity/messaging';
import { createDataSource, SeedData } from '@activity/persistence';
import { FakeSteamServer, PgBouncer, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';
import { SCHEDULER_LOCK } from '@activity/use-cases';

/**
 * The four services with their pools behind a real PgBouncer in transaction mode (each transaction
 * may land on another server connection, so session state does not survive between them), and
 * only the session work (LISTEN, session advisory locks) on DATABASE_DIRECT_URL.
 */
describe('through PgBouncer in transaction mode', () => {
  const environment = testEnvironment();
  const tenant = `bouncer-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const secret = 'whsec_cGdib3VuY2VyLXRlc3Qtc2lnbmluZy1zZWNyZXQ=';
  const player = 'b0b00000-0000-4000-8000-0000000000bb';
  const keyDir = `.local/test-keys-${process.pid}`;
  const encryptionKey = Buffer.alloc(32, 7).toString('base64');
  const database = new URL(environment.databaseUrl).pathname.slice(1);
  const services: ServiceProcess[] = [];
  let bouncer: PgBouncer;
  let steam: FakeSteamServer;
  let admin: DataSource;
  let probe: KafkaProbe;
  let gateway: ServiceProcess;
  let feedApi: ServiceProcess;

  beforeAll(async () => {
    const upstream = new URL(environment.databaseUrl);
    bouncer = await PgBouncer.start({
      port: environment.portBase + 55,
      upstream: { host: upstream.hostname, port: Number(upstream.port || 5432) },
      users: ['activity_app', 'postgres'],
      // Fewer server connections than the services' pools: transactions must share them.
      defaultPoolSize: 8,
    });
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'pgbouncer-test' }).initialize();
    const seed = new SeedData(admin, { keyId: 'bouncer', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'Bouncer server' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'bob', provider: 'minecraft', externalId: player });
    // A syncing connector, so the sync scheduler runs and takes its lock.
    steam = await FakeSteamServer.start();
    probe = await KafkaProbe.start(environment.kafkaBrokers, [`${environment.topicPrefix}feed.updated`]);
    const env = {
      ...serviceEnvironment(environment),
      DATABASE_URL: bouncer.urlFor(environment.databaseUrl),
      DATABASE_DIRECT_URL: environment.databaseUrl,
      JWT_DEV_KEY_DIR: keyDir,
      SECRETS_ENCRYPTION_KEY: encryptionKey,
      SECRETS_ENCRYPTION_KEY_ID: 'bouncer',
      // Only the relay's LISTEN can wake it within the test's bounds.
      OUTBOX_POLL_INTERVAL_MS: '60000',
      SYNC_SCHEDULER_TICK_MS: '300',
      STEAM_API_BASE_URL: steam.url,
      STEAM_API_KEY: steam.apiKey,
    };
    const stack = await ServiceProcess.startAll(environment.portBase + 50, env);
    services.push(...stack.all);
    ({ feedApi, gateway } = stack);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await probe?.stop();
    await admin?.destroy();
    await bouncer?.stop();
    await steam?.stop();
  }, 60_000);

  function send(options: { secret?: string } = {}) {
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'player.joined', occurredAt: new Date().toISOString(), server: { id: 'lobby' }, player: { uuid: player, name: 'bob_mc' } });
    const response = fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(options.secret ?? secret, id, timestamp, body),
      },
      body,
    });
    return { id, response };
  }

  async function feedOf(tenantId: string, userId: string) {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId, userId, issuer: 'activity-dev', audience: 'activity-service' });
    const response = await fetch(`${feedApi.url}/v2/feed?limit=100`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<{ payload: Record<string, unknown>; id: string }> }).items;
  }

  it('takes a webhook to the feed, announces it at once through the LISTEN connection, and reads it only in its tenant', async () => {
    const before = (await bouncer.stats()).get(database)?.transactions ?? 0;
    const { id, response } = send();
    expect((await response).status).toBe(202);
    // The relay polls once a minute here: a feed.updated within seconds was woken by NOTIFY on the direct connection.
    await probe.waitForMessage('feed.updated for the webhook', (m) => (m.data as { tenantId?: string } | undefined)?.tenantId === tenant, 10_000);
    const items = await waitFor('the event in bob’s feed', async () => {
      const feed = await feedOf(tenant, 'bob');
      return feed.length > 0 ? feed : undefined;
    });
    expect(items.map((item) => item.payload['player'])).toEqual([{ uuid: player, name: 'bob_mc' }]);
    // Row-level security with the tenant set per transaction holds through shared server connections.
    expect(await feedOf(`other-${tenant}`, 'bob')).toEqual([]);
    const rows: Array<{ source_event_id: string }> = await admin.query(`SELECT source_event_id FROM activity_events WHERE tenant_id = $1`, [tenant]);
    expect(rows.map((row) => row.source_event_id)).toEqual([id]);
    // And it really went through PgBouncer.
    expect((await bouncer.stats()).get(database)?.transactions ?? 0).toBeGreaterThan(before);
  });

  it('hears a disabled webhook source at once through the gateway’s LISTEN connection', async () => {
    await admin.query(`UPDATE webhook_sources SET status = 'disabled' WHERE connector = 'minecraft' AND id = $1`, [sourceId]);
    try {
      await waitFor('the disabled source refused', async () => (await send().response).status === 404, 3_000);
    } finally {
      await admin.query(`UPDATE webhook_sources SET status = 'active' WHERE connector = 'minecraft' AND id = $1`, [sourceId]);
    }
    await waitFor('the source accepted again', async () => (await send().response).status === 202, 3_000);
  });

  it('holds the scheduler’s session advisory lock on its own direct session, not a pooled one', async () => {
    const holders = await waitFor('a scheduler holding its lock', async () => {
      const rows: Array<{ application_name: string; pid: number }> = await admin.query(
        `SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = 0 AND l.objid = $1::bigint::oid AND a.datname = $2`,
        [SCHEDULER_LOCK, database],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(holders.map((holder) => holder.application_name)).toEqual(['sync-scheduler']);
    // Traffic through the pool does not move it: the same backend still holds it afterwards.
    for (let i = 0; i < 20; i += 1) await feedOf(tenant, 'bob');
    const after: Array<{ pid: number }> = await admin.query(
      `SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = 0 AND l.objid = $1::bigint::oid`,
      [SCHEDULER_LOCK],
    );
    expect(after.map((row) => row.pid)).toContain(holders[0]!.pid);
  });
});
