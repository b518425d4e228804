// Creates every topic (and its DLQ) if missing. Used by the stack and test scripts.
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, loadConfigOrExit } from '@activity/config';
import pino from 'pino';
import { createKafka } from '../kafka-client';
import { ensureTopics } from '../topic-admin';
import { TopicNames } from '../topics';

class TopicsConfig extends CommonConfig {
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS: number = 12;

  @IsInt()
  @Min(1)
  @Max(5)
  KAFKA_REPLICATION_FACTOR: number = 1;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(TopicsConfig);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'ensure-topics' }, pino({ level: 'warn' }));
  const created = await ensureTopics(kafka, new TopicNames(config.KAFKA_TOPIC_PREFIX), {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  });
  process.stdout.write(created.length ? `created topics: ${created.join(', ')}\n` : 'topics exist\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`ensure-topics failed: ${(error as Error).message}\n`);
  process.exit(1);
});
