import net from 'node:net';

/**
 * Where integration tests find the real services. tools/test.mjs sets these before Jest starts;
 * the defaults match the local machine setup described in the README.
 */
export function testEnvironment() {
  const env = process.env;
  return {
    /** What services use: the application role, subject to row-level security. */
    databaseUrl: env['TEST_DATABASE_URL'] ?? 'postgres://activity_app@127.0.0.1:5432/activity_test',
    /** The owner: migrations, and assertions that must see every tenant's rows. */
    adminDatabaseUrl: env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/activity_test',
    redisUrl: env['TEST_REDIS_URL'] ?? env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    kafkaBrokers: env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    topicPrefix: env['KAFKA_TOPIC_PREFIX'] ?? 'test.',
    /** Test services listen from here up, away from a dev stack on 3000-3003. */
    portBase: Number(env['TEST_PORT_BASE'] ?? 3100),
  };
}

export type TestEnvironment = ReturnType<typeof testEnvironment>;

/** The environment every spawned service needs to reach this run's database, broker, topics and Redis. */
export function serviceEnvironment(environment: TestEnvironment = testEnvironment()): Record<string, string> {
  return {
    DATABASE_URL: environment.databaseUrl,
    KAFKA_BROKERS: environment.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: environment.topicPrefix,
    REDIS_URL: environment.redisUrl,
  };
}

function reachable(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Fails loudly, naming each missing service: an integration test never passes without its dependencies. */
export async function requireServices(environment: TestEnvironment = testEnvironment()): Promise<void> {
  const postgres = new URL(environment.adminDatabaseUrl);
  const redis = new URL(environment.redisUrl);
  const [kafkaHost, kafkaPort] = environment.kafkaBrokers.split(',')[0]!.split(':');
  const checks = await Promise.all([
    reachable(postgres.hostname, Number(postgres.port || 5432)).then((ok) => (ok ? null : `PostgreSQL at ${postgres.host}`)),
    reachable(redis.hostname, Number(redis.port || 6379)).then((ok) => (ok ? null : `Redis at ${redis.host}`)),
    reachable(kafkaHost!, Number(kafkaPort)).then((ok) => (ok ? null : `Kafka at ${environment.kafkaBrokers} (start it with npm run kafka:up, or run npm test which starts it)`)),
  ]);
  const missing = checks.filter((value): value is string => value !== null);
  if (missing.length) throw new Error(`Integration tests need real services that are not reachable: ${missing.join('; ')}`);
}
