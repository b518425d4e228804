import { Partitioners, type Admin, type Kafka, type PartitionMetadata, type RecordMetadata } from 'kafkajs';

/**
 * Partition counts per physical topic, read with the admin client and kept for a minute (a topic
 * gains partitions rarely, and KafkaJS refreshes its own metadata on a similar period).
 */
export class TopicPartitionCounts {
  private admin: Admin | undefined;
  private connected: Promise<void> | undefined;
  private readonly counts = new Map<string, { count: number; at: number }>();
  private readonly loading = new Map<string, Promise<number>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly ttlMs = 60_000,
  ) {}

  async countOf(topic: string): Promise<number> {
    const known = this.counts.get(topic);
    if (known && Date.now() - known.at < this.ttlMs) return known.count;
    let load = this.loading.get(topic);
    if (!load) {
      load = this.load(topic).finally(() => this.loading.delete(topic));
      this.loading.set(topic, load);
    }
    return load;
  }

  private async load(topic: string): Promise<number> {
    this.admin ??= this.kafka.admin();
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    this.counts.set(topic, { count, at: Date.now() });
    return count;
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connected = undefined;
    await admin?.disconnect();
  }
}

/**
 * The partition KafkaJS's default (Java-compatible murmur2) partitioner would choose: the same
 * key→partition mapping as before, decided here so the publisher knows where every message went.
 */
export function partitionerFor(): (topic: string, partitions: number, key: string | Buffer | null) => number {
  const partition = Partitioners.DefaultPartitioner();
  const metadata = new Map<number, PartitionMetadata[]>();
  return (topic, partitions, key) => {
    let partitionMetadata = metadata.get(partitions);
    if (!partitionMetadata) {
      partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      metadata.set(partitions, partitionMetadata);
    }
    return partition({ topic, partitionMetadata, message: { key, value: null } });
  };
}

/**
 * The `topic/partition` pairs a produce targeted that the broker did not acknowledge. KafkaJS
 * 2.2.4 can resolve a send without writing some partitions: when a partition's leader moves during
 * the send to a broker that already answered for its own partitions, the retry skips that broker
 * (sendMessages keys its answers by broker), and the moved partition's messages are never sent.
 * A publish is only successful when this is empty.
 */
export function unacknowledgedPartitions(targets: Iterable<string>, acknowledged: readonly RecordMetadata[]): string[] {
  const written = new Set(acknowledged.filter((record) => record.errorCode === 0).map((record) => `${record.topicName}/${record.partition}`));
  return [...new Set(targets)].filter((target) => !written.has(target));
}
