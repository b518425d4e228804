import pino from 'pino';
import { createKafka } from '@activity/messaging';
import { testEnvironment } from '@activity/testing';

/** Deletes this run's prefixed topics so repeated runs do not pile them up on the broker. */
export default async function globalTeardown(): Promise<void> {
  const environment = testEnvironment();
  if (!environment.topicPrefix.startsWith('test')) return;
  const admin = createKafka({ brokers: environment.kafkaBrokers, clientId: 'test-teardown' }, pino({ level: 'silent' })).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(environment.topicPrefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
