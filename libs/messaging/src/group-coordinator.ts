import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Resolves once the broker's coordinator for `groupId` answers, so a consumer joins a group that
 * can take it. Right after a broker starts, `__consumer_offsets` is still loading: a consumer that
 * joins then crashes and restarts, and KafkaJS logs every refused request at error level, which on
 * a normal start reads as a failure. This asks with a client of its own whose logging is off (each
 * refusal is the state being waited out, reported here once as info). Gives up quietly after
 * `timeoutMs`: the consumer then joins anyway and KafkaJS's own retries take over.
 */
export async function awaitGroupCoordinator(brokers: string, groupId: string, logger: Logger, timeoutMs = 60_000): Promise<void> {
  const probe = new Kafka({
    clientId: 'group-coordinator-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 500 },
  });
  // A few quick retries: the first request of a new client can find its broker pool still empty.
  const admin = probe.admin({ retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 500 } });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (attempt === 0) await admin.connect();
        const { groups } = await admin.describeGroups([groupId]);
        // KafkaJS throws when the group answer carries an error code (COORDINATOR_LOAD_IN_PROGRESS and the like).
        if (groups.length > 0) return;
      } catch {
        // Not ready yet (coordinator loading or not available, broker still starting).
      }
      if (Date.now() > deadline) return;
      if (!announced) {
        logger.info({ group: groupId }, 'waiting for the Kafka group coordinator');
        announced = true;
      }
      await sleep(Math.min(1_000, 100 * 2 ** attempt));
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
