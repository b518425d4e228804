import { setTimeout as sleep } from 'node:timers/promises';
import { migrateDatabase } from '@activity/persistence';
import { DisposablePostgres, DisposableRedis, testEnvironment } from '@activity/testing';
import { expectInvariant, runFaultScenario } from './support/fault-scenario';
import { ReliabilityStack } from './support/reliability-stack';

/**
 * Redis and PostgreSQL taken away under load. Each is a server of the test's own, so the rest of
 * the suite's shared instances are never touched.
 */
describe('reliability: a dependency goes away under load', () => {
  const environment = testEnvironment();
  const portBase = environment.portBase + 100;

  describe('Redis killed for 3 s (every key lost) and started again', () => {
    let redis: DisposableRedis;
    let stack: ReliabilityStack;

    beforeAll(async () => {
      redis = await DisposableRedis.start(portBase + 41);
      stack = await ReliabilityStack.start({ scenario: 'redis', portBase, redisUrl: redis.url });
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
      await redis?.destroy();
    }, 60_000);

    it('degrades (readiness 200, "degraded") and loses nothing: dedupe, caches and limits fall back to PostgreSQL', async () => {
      const { report, timeline } = await runFaultScenario({
        scenario: 'redis-outage',
        stack,
        fault: async () => {
          await redis.kill();
          await sleep(3_000);
          await redis.resume();
        },
      });
      expectInvariant(report, stack);
      expect(report.acknowledged).toBe(report.sent);
      for (const service of ['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay']) {
        // Redis is optional everywhere: never "down", and the services that use it said "degraded".
        expect({ service, red: timeline.wentRed(service) }).toEqual({ service, red: false });
      }
      expect(timeline.wentDegraded('feed-api')).toBe(true);
      expect(timeline.wentDegraded('ingest-gateway')).toBe(true);
      // A feed read while Redis was back but empty: still answered from PostgreSQL.
      const token = await stack.tokenFor(stack.players[0]!.userId);
      const response = await fetch(`${stack.urlOf('feed-api')}/v2/feed?limit=5`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    }, 240_000);
  });

  describe('PostgreSQL stopped and crashed under load', () => {
    let postgres: DisposablePostgres;
    let stack: ReliabilityStack;

    beforeAll(async () => {
      postgres = await DisposablePostgres.start(portBase + 40);
      await migrateDatabase(postgres.url('postgres', 'activity_rel'));
      stack = await ReliabilityStack.start({
        scenario: 'postgres',
        portBase,
        databaseUrl: postgres.url('activity_app', 'activity_rel'),
        adminDatabaseUrl: postgres.url('postgres', 'activity_rel'),
        withoutRelay: true,
      });
    }, 180_000);

    afterAll(async () => {
      await stack?.stop();
      await postgres?.destroy();
    }, 60_000);

    it('mid-normalisation (stopped for 3 s): readiness goes red and back, every acknowledged webhook lands once, none dead-lettered', async () => {
      await stack.startService('outbox-relay');
      const { report, timeline } = await runFaultScenario({
        scenario: 'postgres-stop-mid-normalisation',
        stack,
        fault: async () => {
          await postgres.halt('fast');
          await sleep(3_000);
          await postgres.resume();
        },
      });
      expectInvariant(report, stack);
      // Every service needs PostgreSQL: all said so while it was gone, and all recovered.
      for (const service of ['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay']) {
        expect({ service, red: timeline.wentRed(service), green: timeline.isGreen(service) }).toEqual({ service, red: true, green: true });
      }
    }, 240_000);

    it('mid-relay (a crash: immediate shutdown while the relay drains a backlog): no outbox row lost, each event once', async () => {
      // A backlog first: the relay stopped while the webhooks are normalised, then started, and
      // PostgreSQL crashed a moment into its drain.
      await stack.stopService('outbox-relay');
      const { report } = await runFaultScenario({
        scenario: 'postgres-crash-mid-relay',
        stack,
        watch: { 'ingest-gateway': stack.urlOf('ingest-gateway') },
        fault: async () => {
          // The rest of the webhooks keep coming while the relay is away.
          await sleep(2_000);
          await stack.startService('outbox-relay');
          await postgres.halt('immediate');
          await sleep(3_000);
          await postgres.resume();
        },
      });
      expectInvariant(report, stack);
      expect(report.outbox.rows).toBeGreaterThan(0);
    }, 240_000);
  });
});
