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
export function isDisposableTestDatabase(name: string): boolean {
  return /^[a-z0-9_]+_test$/.test(name);
}

export default async function globalSetup(): Promise<void> {
  const environment = testEnvironment();
  process.env['KAFKA_TOPIC_PREFIX'] = environment.topicPrefix;
  await requireServices(environment);

  const target = new URL(environment.adminDatabaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  // This database is dropped and recreated: refuse anything that is not plainly a test database,
  // so a TEST_DATABASE_ADMIN_URL pointing at real data can never wipe it.
  if (!isDisposableTestDatabase(name)) {
    throw new Error(`TEST_DATABASE_ADMIN_URL names database "${name}"; the test setup drops and recreates it, so its name must end in "_test" (e.g. activity_test)`);
  }
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
