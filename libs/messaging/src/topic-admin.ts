import type { Kafka } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopicOf, type TopicNames } from './topics';

/** Creates every topic and its DLQ if missing. Returns the physical names it created. */
export async function ensureTopics(kafka: Kafka, names: TopicNames, layout: { partitions: number; replicationFactor: number }): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopicOf(topic)]).map((topic) => names.physical(topic));
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: layout.partitions, replicationFactor: layout.replicationFactor })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
