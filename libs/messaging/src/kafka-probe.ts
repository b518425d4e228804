import { setTimeout as sleep } from 'node:timers/promises';
import { TopicTap } from './topic-tap';
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

/** Records every message of some topics (a TopicTap in its own group), for tests and operators to wait on. */
export class KafkaProbe {
  readonly messages: CapturedMessage[] = [];
  private tap: TopicTap | undefined;

  static async start(brokers: string, topics: string[]): Promise<KafkaProbe> {
    const probe = new KafkaProbe();
    probe.tap = await TopicTap.start(brokers, topics, ({ topic, partition, key, value, headers }) => {
      probe.messages.push({ topic, partition, key: key?.toString() ?? null, headers, value: value?.toString() ?? '', rawKey: key, rawValue: value, data: parseJson(value) });
    });
    return probe;
  }

  /** The first recorded message that matches, waiting for it up to `timeoutMs`. */
  async waitForMessage(what: string, match: (message: CapturedMessage) => boolean, timeoutMs = 20_000): Promise<CapturedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await this.tap?.stop();
  }
}

function parseJson(value: Buffer | null): unknown {
  try {
    return value ? (JSON.parse(value.toString('utf8')) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
