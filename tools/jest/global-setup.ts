import { Client } from 'pg';
import pino from 'pino';
import { createKafka, ensureTopics, TopicNames } from '@activity/messaging';
import { migrateDatabase } from '@activity/persistence';
import { requireServices, testEnvironment } from '@activity/testing';

/**
 * Runs once before the integration tier: checks that Postgres, Redis and Kafka answer (failing
 * with their names if not), recreates the test database from the real migrations, and creates
 * this run's prefixed topics.
 */
export default async function globalSetup(): Promise<void> {
  const environment = testEnvironment();
  process.env['KAFKA_TOPIC_PREFIX'] = environment.topicPrefix;
  await requireServices(environment);

  const target = new URL(environment.adminDatabaseUrl);
  const name = target.pathname.slice(1);
  const admin = new URL(environment.adminDatabaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await migrateDatabase(environment.adminDatabaseUrl);

  const kafka = createKafka({ brokers: environment.kafkaBrokers, clientId: 'test-setup' }, pino({ level: 'silent' }));
  await ensureTopics(kafka, new TopicNames(environment.topicPrefix), { partitions: 3, replicationFactor: 1 });
}
