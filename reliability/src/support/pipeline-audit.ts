import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import pino from 'pino';
import { createKafka, KafkaProbe } from '@activity/messaging';

export interface OutboxAudit {
  /** The tenant's outbox rows, by status at the end. */
  readonly rows: number;
  readonly pending: number;
  readonly dead: number;
  /** Rows marked sent whose message is not on the topic. */
  readonly lost: number;
  /** Rows whose message is on the topic more than once (a relay killed between Kafka's ack and its commit). */
  readonly sentTwice: number;
  /** The longest a row waited between its commit and Kafka's ack (what real-time clients wait). */
  readonly maxLagMs: number;
}

/**
 * Every outbox row of the tenant is sent, and each sent row's message (its ce_id) is on its topic:
 * read back from the beginning by a fresh consumer, so it is what any subscriber can read.
 */
export async function auditOutbox(adminDatabaseUrl: string, tenant: string, brokers: string, topicPrefix: string, timeoutMs = 30_000): Promise<OutboxAudit> {
  const db = new Client({ connectionString: adminDatabaseUrl });
  await db.connect();
  let rows: Array<{ topic: string; status: string; ce_id: string; lag_ms: number | null }>;
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      ({ rows } = await db.query(
        `SELECT topic, status, headers->>'ce_id' AS ce_id, (extract(epoch FROM sent_at - created_at) * 1000)::float8 AS lag_ms FROM outbox WHERE tenant_id = $1`,
        [tenant],
      ));
      if (rows.every((row) => row.status !== 'pending') || Date.now() > deadline) break;
      await sleep(200);
    }
  } finally {
    await db.end();
  }
  const sent = rows.filter((row) => row.status === 'sent');
  const topics = [...new Set(sent.map((row) => `${topicPrefix}${row.topic}`))];
  let seen = new Map<string, number>();
  if (topics.length) {
    const probe = await KafkaProbe.start(brokers, topics);
    try {
      const deadline = Date.now() + timeoutMs;
      const wanted = new Set(sent.map((row) => row.ce_id));
      for (;;) {
        seen = countWanted(probe.messages, wanted);
        if (seen.size === wanted.size || Date.now() > deadline) break;
        await sleep(200);
      }
      // A little longer, so a second copy that sits behind the first is read too.
      await sleep(1_000);
      seen = countWanted(probe.messages, wanted);
    } finally {
      await probe.stop();
    }
  }
  return {
    rows: rows.length,
    pending: rows.filter((row) => row.status === 'pending').length,
    dead: rows.filter((row) => row.status === 'dead').length,
    lost: sent.filter((row) => !seen.has(row.ce_id)).length,
    sentTwice: [...seen.values()].filter((count) => count > 1).length,
    maxLagMs: Math.round(Math.max(0, ...rows.map((row) => row.lag_ms ?? 0))),
  };
}

/** How many times each wanted ce_id is among the messages. */
function countWanted(messages: ReadonlyArray<{ headers: Record<string, string> }>, wanted: ReadonlySet<string>): Map<string, number> {
  const seen = new Map<string, number>();
  for (const message of messages) {
    const id = message.headers['ce_id'];
    if (id && wanted.has(id)) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

/**
 * Partitions of connector-workers' groups whose committed offset is behind the end of the topic,
 * once `timeoutMs` has passed without them catching up: a stuck partition, by name.
 */
export async function stuckPartitions(brokers: string, topicPrefix: string, timeoutMs = 30_000): Promise<string[]> {
  const kafka = createKafka({ brokers, clientId: 'reliability-audit' }, pino({ level: 'silent' }));
  const admin = kafka.admin();
  await admin.connect();
  const groups = [
    ['connector-workers.webhooks', 'webhook.received'],
    ['connector-workers.sync', 'sync.requested'],
    ['connector-workers.links', 'account.linked'],
  ].map(([group, topic]) => ({ groupId: `${topicPrefix}${group}`, topic: `${topicPrefix}${topic}` }));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind: string[] = [];
      for (const { groupId, topic } of groups) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          const offset = committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
          // -1: nothing committed; fine only for an empty partition.
          const at = Number(offset) < 0 ? Number(end.low) : Number(offset);
          if (at < Number(end.high)) behind.push(`${topic}[${end.partition}] at ${at} of ${end.high}`);
        }
      }
      if (behind.length === 0 || Date.now() > deadline) return behind;
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}
