import 'reflect-metadata';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

export type Environment = 'development' | 'test' | 'production';

// Development-only key for secrets at rest ("activity-service-development-key"). Production must set its own.
const DEVELOPMENT_ENCRYPTION_KEY = 'YWN0aXZpdHktc2VydmljZS1kZXZlbG9wbWVudC1rZXk=';

/** Settings every service shares. Subclasses add their own; names are the environment variable names. */
export class CommonConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: Environment = 'development';

  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL: string = 'info';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  /** The services' connection: the `activity_app` role, which row-level security applies to. */
  DATABASE_URL: string = 'postgres://activity_app@127.0.0.1:5432/activity';

  /**
   * A direct connection to PostgreSQL (not through PgBouncer in transaction mode), for what needs
   * a session of its own: LISTEN (the relay's wake-up, the gateway's source changes) and session
   * advisory locks (the sync scheduler's leadership, gateway shard leases). Defaults to DATABASE_URL.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_DIRECT_URL?: string;

  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  /** Prepended to every topic name; lets tests and several stacks share one broker. */
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'may contain only letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX: string = '';

  /** Without it the service runs single-instance with in-memory caches. */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @IsString()
  HTTP_HOST: string = '0.0.0.0';

  /**
   * The origin platforms reach ingest-gateway at: push subscriptions (Twitch EventSub, YouTube
   * WebSub) are created with callbacks under it (`<origin>/v1/webhooks/<connector>/<source>`).
   */
  @Matches(/^https?:\/\/[^/]+$/, { message: 'must be an http(s) origin without a path, e.g. https://hooks.example.com' })
  WEBHOOK_PUBLIC_URL: string = 'http://127.0.0.1:3001';

  /** One message (a comment, a chat line) notifies at most this many @mentioned users; further names stay plain text. */
  @IsInt()
  @Min(0)
  @Max(100)
  MENTIONS_MAX_PER_MESSAGE: number = 10;

  /** base64 of 32 bytes; encrypts webhook secrets and tokens at rest. The built-in key is refused in production. */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be base64 of exactly 32 bytes' })
  @ValidateBy({
    name: 'notDevelopmentKeyInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as CommonConfig).NODE_ENV !== 'production' || value !== DEVELOPMENT_ENCRYPTION_KEY,
      defaultMessage: () => 'must be set in production (the development key is refused)',
    },
  })
  SECRETS_ENCRYPTION_KEY: string = DEVELOPMENT_ENCRYPTION_KEY;

  @IsString()
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'must be a short key id like "k1"' })
  SECRETS_ENCRYPTION_KEY_ID: string = 'dev';

  /** Retired keys still needed to open older rows during a rotation: JSON {"<keyId>": "<base64 32 bytes>"}. */
  @IsOptional()
  @ValidateBy({
    name: 'retiredKeys',
    validator: {
      validate: (value: unknown) => {
        try {
          const parsed = JSON.parse(String(value)) as Record<string, unknown>;
          return Object.values(parsed).every((key) => typeof key === 'string' && Buffer.from(key, 'base64').length === 32);
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be JSON {"<keyId>": "<base64 of 32 bytes>"}',
    },
  })
  SECRETS_ENCRYPTION_RETIRED_KEYS?: string;

  /** Milliseconds the process has to finish in-flight work after SIGTERM. */
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS: number = 10_000;

  /** A request (headers and body) must arrive whole within this many milliseconds, else 408. */
  @IsInt()
  @Min(1_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;
}

/** Where sessions (LISTEN, session advisory locks) go: DATABASE_DIRECT_URL when set (behind PgBouncer), else DATABASE_URL. */
export function directDatabaseUrl(config: Pick<CommonConfig, 'DATABASE_URL' | 'DATABASE_DIRECT_URL'>): string {
  return config.DATABASE_DIRECT_URL ?? config.DATABASE_URL;
}
