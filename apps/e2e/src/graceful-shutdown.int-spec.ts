import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { signStandardWebhook } from '@activity/connector-sdk';
import { createDataSource, SeedData } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * SIGTERM under load: the gateway and a worker are stopped while webhooks keep arriving. Every
 * delivery that was answered 202 must end up as exactly one event; each process must exit by
 * itself within its grace period, having closed its connections.
 */
describe('graceful shutdown under load', () => {
  const environment = testEnvironment();
  const tenant = `stop-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const secret = 'whsec_Z3JhY2VmdWwtc2h1dGRvd24tdGVzdC1zZWNyZXQ=';
  const encryptionKey = Buffer.alloc(32, 7).toString('base64');
  const env = {
    ...serviceEnvironment(environment),
    SECRETS_ENCRYPTION_KEY: encryptionKey,
    SECRETS_ENCRYPTION_KEY_ID: 'stop',
  };
  let admin: DataSource;
  const started: ServiceProcess[] = [];
  const port = (n: number) => environment.portBase + 70 + n;

  beforeAll(async () => {
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'shutdown-test' }).initialize();
    const seed = new SeedData(admin, { keyId: 'stop', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'Shutdown test' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'steady', provider: 'minecraft', externalId: 'feed0000-0000-4000-8000-000000000001' });
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await admin.destroy();
  }, 60_000);

  async function deliver(gateway: ServiceProcess, id: string): Promise<number | 'refused'> {
    const body = JSON.stringify({
      type: 'player.joined',
      occurredAt: new Date().toISOString(),
      server: { id: 's1' },
      player: { uuid: 'feed0000-0000-4000-8000-000000000001', name: 'steady' },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'refused';
    }
  }

  it('loses nothing that was acknowledged, and every process exits cleanly', async () => {
    const start = async (name: Parameters<typeof ServiceProcess.start>[0], n: number) => {
      const service = await ServiceProcess.start(name, port(n), env);
      started.push(service);
      return service;
    };
    const gateway = await start('ingest-gateway', 0);
    const worker = await start('connector-workers', 1);
    await start('outbox-relay', 2);

    const results = new Map<string, number | 'refused'>();
    const sendWave = (target: ServiceProcess, count: number) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const id = `msg_${randomUUID()}`;
          results.set(id, await deliver(target, id));
        }),
      );

    // Load on the worker while it is told to stop; a second worker takes over its partitions.
    const firstWave = sendWave(gateway, 60);
    await waitFor('the first wave to be under way', () => (results.size >= 10 ? true : undefined), 30_000, 10);
    const workerExit = worker.stop();
    await firstWave;
    expect(await workerExit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(worker.logs()).toContain('connections closed');
    await start('connector-workers', 3);

    // Load on the gateway while it is told to stop: requests either complete or are refused, never half-done.
    const answeredBefore = results.size;
    const secondWave = sendWave(gateway, 60);
    await waitFor('the second wave to be under way', () => (results.size >= answeredBefore + 5 ? true : undefined), 30_000, 10);
    const gatewayExit = gateway.stop();
    await secondWave;
    const gatewayStatus = await gatewayExit;
    if (gatewayStatus.signal !== 'SIGTERM') process.stderr.write(`--- gateway log tail ---\n${gateway.logs().split('\n').slice(-15).join('\n')}\n`);
    expect(gatewayStatus).toEqual({ code: null, signal: 'SIGTERM' });
    expect(gateway.logs()).toContain('connections closed');

    const acknowledged = [...results].filter(([, status]) => status === 202).map(([id]) => id);
    expect(acknowledged.length).toBeGreaterThan(60);
    expect([...results.values()].every((status) => status === 202 || status === 'refused' || status === 503)).toBe(true);
    await waitFor(
      'every acknowledged delivery as exactly one event',
      async () => {
        const rows: Array<{ source_event_id: string; n: number }> = await admin.query(
          `SELECT source_event_id, count(*)::int AS n FROM activity_events WHERE tenant_id = $1 AND source_event_id = ANY($2::text[]) GROUP BY source_event_id`,
          [tenant, acknowledged],
        );
        return rows.length === acknowledged.length && rows.every((row) => row.n === 1);
      },
      60_000,
      250,
    );
  }, 180_000);
});
