import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { TopicNames } from './topics';
import { pinTraceparent } from '@activity/observability';

export interface OutgoingMessage {
  /** Logical topic name; the publisher applies the environment's prefix. */
  readonly topic: string;
  /** Bytes pass through as they are (the DLQ keeps a poison message's original key and value). */
  readonly key: string | Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string | Buffer | null;
}

/** How long a publish without its own deadline waits for the broker's acknowledgement. */
const DEFAULT_PUBLISH_TIMEOUT_MS = 30_000;

/**
 * The only way our code produces to Kafka: an idempotent producer with acks=all, so a
 * successful `publish` means every in-sync replica has the messages, in order per partition.
 */
export class EventPublisher {
  private producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
  ) {
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // An idempotent producer keeps retrying (KafkaJS warns that fewer retries may break its
      // exactly-once sequence); how long a caller waits is bounded by publish's deadline instead,
      // after which this producer is replaced.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /**
   * A producer whose publish failed is replaced by a fresh one. KafkaJS would keep retrying the
   * failed batch in the background with growing backoff, and with one request in flight the next
   * batches queue behind it: after an outage the broker is back, but the old producer is still
   * waiting out its retries. A fresh producer uses the broker at once (anything the old one still
   * delivers is a duplicate, which consumers absorb by ce_id).
   */
  private replace(failed: Producer): void {
    if (this.producer !== failed) return;
    this.producer = this.createProducer();
    this.connected = undefined;
    void failed.disconnect().catch(() => undefined);
  }

  /**
   * Publishes in order; resolves only once the broker acknowledged all of them. It rejects after
   * `timeoutMs` (default 30 s) even if KafkaJS is still retrying in the background; the caller
   * then reports failure, and a late success only means a duplicate, which consumers absorb.
   */
  async publish(messages: readonly OutgoingMessage[], options: { timeoutMs?: number } = {}): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.producer;
    const timeoutMs = options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const work = this.send(messages, Math.min(timeoutMs, 10_000));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
    });
    work.catch(() => undefined);
    try {
      await Promise.race([work, deadline]);
    } catch (error) {
      this.replace(producer);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(messages: readonly OutgoingMessage[], timeoutMs: number): Promise<void> {
    await this.connect();
    const producer = this.producer;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const physical = this.topics.physical(message.topic);
      byTopic.set(physical, [...(byTopic.get(physical) ?? []), message]);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        timeout: timeoutMs,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => {
            const message = { key: m.key, value: m.value, headers: { ...m.headers } };
            pinTraceparent(message, m.headers['traceparent']);
            return message;
          }),
        })),
      });
    } catch (error) {
      this.replace(producer);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
