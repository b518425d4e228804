import { setTimeout as sleep } from 'node:timers/promises';
import { testEnvironment } from '@activity/testing';
import { expectInvariant, runFaultScenario } from './support/fault-scenario';
import { ReliabilityStack } from './support/reliability-stack';

/**
 * Each service SIGKILLed while webhooks flow (no orderly shutdown: offsets not committed, batches
 * half done, requests unanswered), then started again. Two connector-workers share the partitions,
 * as replicas do in production.
 */
describe('reliability: a service SIGKILLed mid-batch', () => {
  let stack: ReliabilityStack;

  beforeAll(async () => {
    stack = await ReliabilityStack.start({ scenario: 'crash', portBase: testEnvironment().portBase + 100, workers: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('a killed connector-worker: its partitions are consumed again by the other within 10 s, nothing lost or doubled', async () => {
    let killedAt = 0;
    const { report } = await runFaultScenario({
      scenario: 'connector-worker-sigkill',
      stack,
      watch: { 'connector-workers#1': stack.urlOf('connector-workers', 1), 'ingest-gateway': stack.urlOf('ingest-gateway') },
      fault: async () => {
        stack.kill('connector-workers', 0);
        killedAt = Date.now();
        // Down long enough that the survivor must take its partitions over; then back, as an orchestrator would.
        await sleep(12_000);
        await stack.startService('connector-workers', 0);
      },
    });
    expect(killedAt).toBeGreaterThan(0);
    expectInvariant(report, stack);
    // The kill hit work in flight (webhooks on its partitions waited), and the takeover came within 10 s.
    expect(report.stalled).toBeGreaterThan(0);
    expect(report.recoveryMs).toBeLessThan(10_000);
  }, 240_000);

  it('a killed outbox-relay: every row reaches Kafka after the restart, each in the feed once', async () => {
    const { report, timeline } = await runFaultScenario({
      scenario: 'outbox-relay-sigkill',
      stack,
      fault: async () => {
        stack.kill('outbox-relay');
        await sleep(3_000);
        await stack.startService('outbox-relay');
      },
    });
    expectInvariant(report, stack);
    // The relay was unreachable while dead, and ready again after.
    expect(timeline.wentRed('outbox-relay')).toBe(true);
    expect(timeline.isGreen('outbox-relay')).toBe(true);
    // Rows written while it was down waited for the restart (about 3 s), then all went out.
    expect(report.outbox.maxLagMs).toBeGreaterThan(1_000);
    expect(report.outbox.maxLagMs).toBeLessThan(15_000);
  }, 240_000);

  it('a killed ingest-gateway: unanswered webhooks are retried by their senders and land once', async () => {
    const { report, load } = await runFaultScenario({
      scenario: 'ingest-gateway-sigkill',
      stack,
      fault: async () => {
        stack.kill('ingest-gateway');
        await sleep(3_000);
        await stack.startService('ingest-gateway');
      },
    });
    expectInvariant(report, stack);
    // The senders saw the outage (refused connections) and their retries were accepted.
    expect(load.deliveries.some((delivery) => delivery.outcomes.includes('ECONNREFUSED'))).toBe(true);
    expect(report.acknowledged).toBe(report.sent);
  }, 240_000);
});
