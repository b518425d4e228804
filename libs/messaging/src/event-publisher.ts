import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { partitionerFor, TopicPartitionCounts, unacknowledgedPartitions } from './partition-assignment';
import type { TopicNames } from './topics';
import { pinTraceparent } from '@activity/observability';
import { producerGroupSize } from './messaging-metrics';

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
/** How long one produce request may take at the broker. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A group stops growing past this many bytes of values, well under the broker's 1 MiB batch limit. */
const MAX_GROUP_BYTES = 512 * 1024;

interface Pending {
  readonly messages: readonly OutgoingMessage[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The only way our code produces to Kafka: an idempotent producer with acks=all, so a
 * successful `publish` means every in-sync replica has the messages, in order per partition.
 */
export class EventPublisher {
  private producer: Producer;
  private connected: Promise<void> | undefined;
  /** Publishes waiting for the request in flight to finish (group commit, see send). */
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly partitionCounts: TopicPartitionCounts;
  private readonly partitionOf = partitionerFor();

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
  ) {
    this.producer = this.createProducer();
    this.partitionCounts = new TopicPartitionCounts(kafka);
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
    const work = this.send(messages);
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

  /**
   * Group commit: with one request in flight (what keeps an idempotent producer's order), every
   * publish would wait a broker round trip of its own, and concurrent webhooks queue behind each
   * other. Instead, publishes that arrive while a request is in flight go out together in the next
   * one, in arrival order (so order per key holds), and each resolves when its request is
   * acknowledged. A failed request fails every publish in it; each caller decides (the gateway
   * answers 503, the relay reschedules its rows).
   */
  private send(messages: readonly OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        producerGroupSize.observe(group.length);
        try {
          await this.sendBatch(group.flatMap((pending) => pending.messages));
          for (const pending of group) pending.resolve();
        } catch (error) {
          for (const pending of group) pending.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest waiting publishes, up to MAX_GROUP_BYTES (at least one). */
  private takeGroup(): Pending[] {
    let bytes = 0;
    let count = 0;
    for (const pending of this.queue) {
      const size = pending.messages.reduce((sum, message) => sum + (message.value?.length ?? 0), 0);
      if (count > 0 && bytes + size > MAX_GROUP_BYTES) break;
      bytes += size;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /**
   * One produce of the group. Every message's partition is chosen here (the same choice the
   * default partitioner makes), and the send only counts when the broker acknowledged every
   * partition it targeted: see unacknowledgedPartitions for the KafkaJS flaw this closes.
   */
  private async sendBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    await this.connect();
    const producer = this.producer;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const physical = this.topics.physical(message.topic);
      byTopic.set(physical, [...(byTopic.get(physical) ?? []), message]);
    }
    try {
      const targets: string[] = [];
      const topicMessages = await Promise.all(
        [...byTopic].map(async ([topic, list]) => {
          const partitions = await this.partitionCounts.countOf(topic);
          return {
            topic,
            messages: list.map((m) => {
              const partition = this.partitionOf(topic, partitions, m.key);
              targets.push(`${topic}/${partition}`);
              const message = { key: m.key, value: m.value, headers: { ...m.headers }, partition };
              pinTraceparent(message, m.headers['traceparent']);
              return message;
            }),
          };
        }),
      );
      const acknowledged = await producer.sendBatch({ acks: -1, timeout: REQUEST_TIMEOUT_MS, compression: CompressionTypes.None, topicMessages });
      const missing = unacknowledgedPartitions(targets, acknowledged);
      if (missing.length) throw new Error(`Kafka did not acknowledge partitions ${missing.join(', ')} (a leader moved during the send); not published`);
    } catch (error) {
      this.replace(producer);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    await this.partitionCounts.disconnect().catch(() => undefined);
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
