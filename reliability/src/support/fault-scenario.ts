import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { testEnvironment } from '@activity/testing';
import { countFeedItems } from './feed-audit';
import { FeedPresence } from './feed-presence';
import { HealthTimeline } from './health-timeline';
import { auditOutbox, stuckPartitions, type OutboxAudit } from './pipeline-audit';
import type { ReliabilityStack } from './reliability-stack';
import { WebhookLoad } from './webhook-load';

/** How many webhooks a scenario sends, and how fast: CI's default, more with `npm run reliability -- --long`. */
export const LOAD = {
  webhooks: Number(process.env['RELIABILITY_WEBHOOKS'] ?? 300),
  perSecond: Number(process.env['RELIABILITY_RATE'] ?? 60),
};

export interface ScenarioReport {
  readonly scenario: string;
  readonly sent: number;
  /** Answered 202, at the first attempt or a retry. */
  readonly acknowledged: number;
  /** Acknowledged and in the player's feed exactly once. */
  readonly present: number;
  /** In a feed more than once. */
  readonly duplicated: number;
  /** Acknowledged and not in the feed. */
  readonly lost: number;
  /** Never acknowledged (refused, or given up on) yet in the feed: allowed once, never twice. */
  readonly unacknowledgedPresent: number;
  /** Deliveries that needed more than one attempt. */
  readonly retried: number;
  /** The longest an acknowledged webhook waited between its 202 and its appearance in the feed. */
  readonly recoveryMs: number;
  /** Acknowledged webhooks that waited over 2 s: how much in-flight work the fault hit. */
  readonly stalled: number;
  readonly outbox: OutboxAudit;
  readonly stuckPartitions: string[];
  readonly health: string;
  readonly notes: Record<string, number | string>;
}

export interface FaultScenarioOptions {
  readonly scenario: string;
  readonly stack: ReliabilityStack;
  /** Runs when a third of the webhooks have been sent. */
  readonly fault: () => Promise<void>;
  /** Services whose readiness is watched (defaults to all four's ports). */
  readonly watch?: Record<string, string>;
  readonly brokers?: string;
  readonly topicPrefix?: string;
  readonly webhooks?: number;
  readonly perSecond?: number;
}

/**
 * Sends a known set of uniquely identified webhooks while `fault` runs a third of the way in,
 * waits for the pipeline to settle, and checks the invariant from outside: every webhook answered
 * 202 is in its player's feed exactly once (read through feed-api), none is there twice, every
 * outbox row is sent once, no consumer partition is left behind. Prints one report line and
 * keeps the figures in .local/reliability/<scenario>.json.
 */
export async function runFaultScenario(options: FaultScenarioOptions): Promise<{ report: ScenarioReport; timeline: HealthTimeline; load: WebhookLoad }> {
  const { stack } = options;
  const environment = testEnvironment();
  const brokers = options.brokers ?? stack.env['KAFKA_BROKERS'] ?? environment.kafkaBrokers;
  const topicPrefix = options.topicPrefix ?? stack.env['KAFKA_TOPIC_PREFIX'] ?? environment.topicPrefix;
  const webhooks = options.webhooks ?? LOAD.webhooks;
  const perSecond = options.perSecond ?? LOAD.perSecond;
  const notes: Record<string, number | string> = {};

  const presence = new FeedPresence(stack.adminDatabaseUrl, stack.tenant);
  const timeline = new HealthTimeline(
    options.watch ?? {
      'feed-api': stack.urlOf('feed-api'),
      'ingest-gateway': stack.urlOf('ingest-gateway'),
      'connector-workers': stack.urlOf('connector-workers'),
      'outbox-relay': stack.urlOf('outbox-relay'),
    },
  );
  const load = new WebhookLoad({ gatewayUrl: () => stack.urlOf('ingest-gateway'), sourceId: stack.sourceId, secret: stack.secret, players: stack.players });
  presence.start();
  timeline.start();
  let faultRun: Promise<void> = Promise.resolve();
  const faultAt = Math.ceil(webhooks / 3);
  const started = Date.now();
  try {
    await load.run(webhooks, perSecond, (sent) => {
      if (sent === faultAt) {
        notes['faultAtMs'] = Date.now() - started;
        faultRun = options.fault();
      }
    });
    await faultRun;
    notes['loadDoneMs'] = Date.now() - started;

    const acknowledged = load.deliveries.filter((delivery) => delivery.ackedAt !== undefined);
    // Settled: every acknowledged webhook stored (or a minute without it, and the report says what is missing).
    const deadline = Date.now() + 60_000;
    while (acknowledged.some((delivery) => !presence.firstSeenAt.has(delivery.id)) && Date.now() < deadline) await sleep(200);
    notes['settledMs'] = Date.now() - started;
    // Give readiness a moment to be sampled after the pipeline settled.
    await sleep(500);
  } finally {
    timeline.stop();
  }

  try {
    const users = await Promise.all(stack.players.map(async (player) => ({ userId: player.userId, token: await stack.tokenFor(player.userId) })));
    const inFeed = await countFeedItems(stack.urlOf('feed-api'), users);
    const rows = await presence.rowCounts();
    const acknowledged = load.deliveries.filter((delivery) => delivery.ackedAt !== undefined);
    const waits = acknowledged.filter((delivery) => presence.firstSeenAt.has(delivery.id)).map((delivery) => presence.firstSeenAt.get(delivery.id)! - delivery.ackedAt!);
    const report: ScenarioReport = {
      scenario: options.scenario,
      sent: load.deliveries.length,
      acknowledged: acknowledged.length,
      present: acknowledged.filter((delivery) => inFeed.get(delivery.id) === 1).length,
      duplicated: [...inFeed.values(), ...rows.values()].filter((count) => count > 1).length,
      lost: acknowledged.filter((delivery) => !inFeed.has(delivery.id)).length,
      unacknowledgedPresent: load.deliveries.filter((delivery) => delivery.ackedAt === undefined && inFeed.has(delivery.id)).length,
      retried: load.deliveries.filter((delivery) => delivery.attempts > 1).length,
      recoveryMs: Math.max(0, ...waits),
      stalled: waits.filter((wait) => wait > 2_000).length,
      outbox: await auditOutbox(stack.adminDatabaseUrl, stack.tenant, brokers, topicPrefix),
      stuckPartitions: await stuckPartitions(brokers, topicPrefix),
      health: timeline.describe(),
      notes,
    };
    printReport(report);
    return { report, timeline, load };
  } finally {
    await presence.stop();
  }
}

function printReport(report: ScenarioReport): void {
  mkdirSync('.local/reliability', { recursive: true });
  writeFileSync(`.local/reliability/${report.scenario}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const line =
    `[reliability] ${report.scenario}: acknowledged ${report.acknowledged}/${report.sent}, present ${report.present}, duplicated ${report.duplicated}, lost ${report.lost}, ` +
    `retried ${report.retried}, recovery ${(report.recoveryMs / 1000).toFixed(1)} s (stalled ${report.stalled}); outbox ${report.outbox.rows} rows (pending ${report.outbox.pending}, dead ${report.outbox.dead}, ` +
    `lost ${report.outbox.lost}, sent twice ${report.outbox.sentTwice}, longest lag ${(report.outbox.maxLagMs / 1000).toFixed(1)} s); stuck partitions ${report.stuckPartitions.length}; ${Object.entries(
      report.notes,
    )
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}\n  readiness: ${report.health}\n`;
  process.stdout.write(line);
}

/** The checks every scenario makes, with the report in the failure message. */
export function invariantViolations(report: ScenarioReport): string[] {
  const problems: string[] = [];
  if (report.acknowledged === 0) problems.push('nothing was acknowledged');
  if (report.lost) problems.push(`${report.lost} acknowledged webhooks are not in the feed`);
  if (report.duplicated) problems.push(`${report.duplicated} webhooks are in a feed more than once`);
  if (report.present !== report.acknowledged) problems.push(`present ${report.present} ≠ acknowledged ${report.acknowledged}`);
  if (report.outbox.pending || report.outbox.dead || report.outbox.lost) problems.push(`outbox: ${JSON.stringify(report.outbox)}`);
  if (report.stuckPartitions.length) problems.push(`stuck partitions: ${report.stuckPartitions.join(', ')}`);
  return problems;
}

/** Fails with every broken rule, the report and the services' last log lines. */
export function expectInvariant(report: ScenarioReport, stack: ReliabilityStack): void {
  const problems = invariantViolations(report);
  if (problems.length) throw new Error(`${report.scenario}: ${problems.join('; ')}\n${JSON.stringify(report, null, 2)}\n${stack.logs()}`);
}
