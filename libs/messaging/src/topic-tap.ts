import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import pino from 'pino';
import { headersAsText } from './cloud-event';
import { createKafka } from './kafka-client';

export interface TappedMessage {
  readonly topic: string;
  readonly partition: number;
  /** The bytes as the broker holds them. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * Reads every message of some physical topics, from the beginning, in a throwaway consumer group
 * and without any of the consumer rules (no schema check, no DLQ, no commits that matter): how a
 * test or an operator looks at what is really on a topic.
 */
export class TopicTap {
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string, topics: readonly string[], onMessage: (message: TappedMessage) => void, joinTimeoutMs = 20_000): Promise<TopicTap> {
    const kafka = createKafka({ brokers, clientId: 'topic-tap' }, pino({ level: 'silent' }));
    const consumer = kafka.consumer({ groupId: `topic-tap-${randomUUID()}`, sessionTimeout: 10_000 });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => onMessage({ topic, partition, key: message.key, value: message.value, headers: headersAsText(message.headers) }),
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        joined,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`topic tap did not join its group within ${joinTimeoutMs} ms`)), joinTimeoutMs))),
      ]);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return new TopicTap(consumer);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
