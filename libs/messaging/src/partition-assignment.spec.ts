import { Partitioners, type RecordMetadata } from 'kafkajs';
import { partitionerFor, unacknowledgedPartitions } from './partition-assignment';

const record = (topicName: string, partition: number, errorCode = 0): RecordMetadata => ({ topicName, partition, errorCode });

describe('partition assignment', () => {
  it('chooses the partition KafkaJS’s default partitioner chooses for a key, so keys keep their partitions', () => {
    const ours = partitionerFor();
    const theirs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 12]) {
      const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
      for (const key of ['tenant:alice', 'tenant:minecraft/src:a11ce000-0000-4000-8000-000000000001', Buffer.from([0xff, 0x00, 0x10])]) {
        expect(ours('t', partitions, key)).toBe(theirs({ topic: 't', partitionMetadata: metadata, message: { key, value: null } }));
      }
    }
    const spread = new Set(Array.from({ length: 200 }, (_, index) => ours('t', 12, `key-${index}`)));
    expect(spread.size).toBe(12);
  });

  it('names every targeted partition the broker did not acknowledge, or acknowledged with an error', () => {
    const targets = ['a/0', 'a/1', 'a/1', 'b/2'];
    expect(unacknowledgedPartitions(targets, [record('a', 0), record('a', 1), record('b', 2)])).toEqual([]);
    // The KafkaJS case: a partition whose leader moved to a broker that had already answered is simply absent.
    expect(unacknowledgedPartitions(targets, [record('a', 0), record('b', 2)])).toEqual(['a/1']);
    expect(unacknowledgedPartitions(targets, [record('a', 0), record('a', 1, 6), record('b', 2)])).toEqual(['a/1']);
  });
});
