import { setTimeout as sleep } from 'node:timers/promises';
import { createDataSource, SeedData } from '@activity/persistence';
import { FakeSteamServer, testEnvironment, waitFor } from '@activity/testing';
import { expectInvariant, LOAD, runFaultScenario } from './support/fault-scenario';
import { ReliabilityStack } from './support/reliability-stack';

/** Workers joining and leaving under load, and the sync scheduler's leader dying. */
describe('reliability: consumer groups and the scheduler leader', () => {
  const environment = testEnvironment();
  const portBase = environment.portBase + 100;

  describe('a rebalance under load: workers added, then removed', () => {
    let stack: ReliabilityStack;

    beforeAll(async () => {
      stack = await ReliabilityStack.start({ scenario: 'rebalance', portBase, workers: 1 });
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
    }, 60_000);

    it('two workers join, then one leaves in order and one is SIGKILLed: every webhook lands once, no partition stuck', async () => {
      const { report } = await runFaultScenario({
        scenario: 'rebalance-under-load',
        stack,
        // Twice the usual load, so webhooks keep coming through all three rebalances.
        webhooks: LOAD.webhooks * 2,
        watch: { 'connector-workers': stack.urlOf('connector-workers'), 'ingest-gateway': stack.urlOf('ingest-gateway') },
        fault: async () => {
          await Promise.all([stack.startService('connector-workers', 1), stack.startService('connector-workers', 2)]);
          await sleep(1_500);
          await stack.stopService('connector-workers', 1);
          await sleep(1_500);
          stack.kill('connector-workers', 2);
        },
      });
      expectInvariant(report, stack);
      expect(report.recoveryMs).toBeLessThan(10_000);
    }, 300_000);
  });

  describe('the sync scheduler leader SIGKILLed', () => {
    const steamId = (n: number) => `7656119${String(8_100_000_000 + n).padStart(10, '0')}`;
    let fake: FakeSteamServer;
    let stack: ReliabilityStack;
    let seed: SeedData;
    let admin: Awaited<ReturnType<ReturnType<typeof createDataSource>['initialize']>>;

    beforeAll(async () => {
      fake = await FakeSteamServer.start();
      for (let n = 1; n <= 2; n += 1) fake.addFixturePlayer(steamId(n));
      stack = await ReliabilityStack.start({
        scenario: 'scheduler',
        portBase,
        workers: 2,
        env: { STEAM_API_BASE_URL: fake.url, STEAM_API_KEY: fake.apiKey, STEAM_TIMEOUT_MS: '2000', SYNC_SCHEDULER_TICK_MS: '2000', SYNC_SCHEDULER_TAKEOVER_MS: '1000' },
      });
      admin = await createDataSource({ url: stack.adminDatabaseUrl, applicationName: 'reliability-scheduler' }).initialize();
      seed = new SeedData(admin, { keyId: 'reliability', key: stack.env['SECRETS_ENCRYPTION_KEY']! });
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
      await admin?.destroy();
      await fake?.stop();
    }, 60_000);

    async function isLeader(index: number): Promise<boolean> {
      const metrics = await (await fetch(`${stack.urlOf('connector-workers', index)}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
      return /^sync_scheduler_leader 1$/m.test(metrics);
    }

    /** A new Steam link (due at once) and the scheduled sync that must follow it. */
    async function scheduledSyncOf(n: number): Promise<string> {
      const linkId = await seed.accountLink({ tenantId: stack.tenant, userId: `steam-${n}`, provider: 'steam', externalId: steamId(n) });
      return waitFor(
        `a scheduled sync of link ${n}`,
        async () => {
          const rows: Array<{ status: string }> = await admin.query(`SELECT status FROM sync_runs WHERE account_link_id = $1 AND trigger = 'scheduled'`, [linkId]);
          return rows.find((row) => row.status === 'succeeded')?.status;
        },
        30_000,
        200,
      );
    }

    it('another worker takes over within SYNC_SCHEDULER_TAKEOVER_MS (here 1 s) plus a lock query, syncs go on, webhooks land once', async () => {
      const leader = await waitFor('a scheduler leader', async () => ((await isLeader(0)) ? 0 : (await isLeader(1)) ? 1 : undefined), 20_000, 200);
      const survivor = 1 - leader;
      expect(await scheduledSyncOf(1)).toBe('succeeded');
      let takeoverMs = 0;
      const { report } = await runFaultScenario({
        scenario: 'scheduler-leader-sigkill',
        stack,
        watch: { [`connector-workers#${survivor}`]: stack.urlOf('connector-workers', survivor), 'ingest-gateway': stack.urlOf('ingest-gateway') },
        fault: async () => {
          stack.kill('connector-workers', leader);
          const killedAt = Date.now();
          await waitFor('the survivor to lead', () => isLeader(survivor), 30_000, 100);
          takeoverMs = Date.now() - killedAt;
        },
      });
      expectInvariant(report, stack);
      process.stdout.write(`[reliability] scheduler-leader-sigkill: take-over ${(takeoverMs / 1000).toFixed(1)} s\n`);
      // The bound: the session ends with the process, so the lock is free at once; a standby tries every second.
      expect(takeoverMs).toBeLessThan(1_000 + 1_000);
      // The new leader schedules: a link added after the kill is synced on schedule.
      expect(await scheduledSyncOf(2)).toBe('succeeded');
      // The old leader comes back as a standby: one leader, never two.
      await stack.startService('connector-workers', leader);
      expect([await isLeader(0), await isLeader(1)].filter(Boolean)).toHaveLength(1);
      expect(await isLeader(survivor)).toBe(true);
    }, 300_000);
  });
});
