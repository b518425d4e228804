import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { waitFor } from './wait-for';

export interface CapturedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: string;
  /** The bytes as the broker holds them. */
  readonly rawKey: Buffer | null;
  readonly rawValue: Buffer | null;
  /** The value parsed as JSON, or undefined when it is not JSON (other suites put poison on shared topics). */
  readonly data: unknown;
}

/** A plain KafkaJS consumer in its own group that records every message of some topics, for assertions. */
export class KafkaProbe {
  readonly messages: CapturedMessage[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string, topics: string[]): Promise<KafkaProbe> {
    const kafka = new Kafka({ clientId: 'test-probe', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `test-probe-${randomUUID()}`, sessionTimeout: 10_000 });
    const probe = new KafkaProbe(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        probe.messages.push({ topic, partition, key: message.key?.toString() ?? null, headers: stringHeaders(message.headers), value: message.value?.toString() ?? '', rawKey: message.key, rawValue: message.value, data: parseJson(message.value) });
      },
    });
    await waitFor('probe consumer to join its group', () => joined, 20_000);
    return probe;
  }

  async waitForMessage(what: string, match: (message: CapturedMessage) => boolean, timeoutMs = 20_000): Promise<CapturedMessage> {
    return waitFor(what, () => this.messages.find(match), timeoutMs);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return result;
}

function parseJson(value: Buffer | null): unknown {
  try {
    return value ? (JSON.parse(value.toString('utf8')) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
