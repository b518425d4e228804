import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { JwtConfig, parseInternalKeys } from '@activity/auth';

const DEVELOPMENT_CURSOR_SECRET = 'development-only-feed-cursor-secret';
/** Development only: lets `npm run -s internal:event` (and tests) call /internal routes as "platform". */
export const DEVELOPMENT_INTERNAL_KEYS = JSON.stringify({ 'dev-platform': { caller: 'platform', secret: 'ZGV2ZWxvcG1lbnQtaW50ZXJuYWwtaG1hYy1rZXk=' } });

export class FeedApiConfig extends JwtConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  /** HMAC key that makes feed cursors tamper-evident. Rotating it invalidates outstanding cursors (clients restart from the top). */
  @MinLength(16)
  @ValidateBy({
    name: 'notDevelopmentSecretInProduction',
    validator: {
      validate: (value: unknown, args) => (args?.object as FeedApiConfig).NODE_ENV !== 'production' || value !== DEVELOPMENT_CURSOR_SECRET,
      defaultMessage: () => 'must be set in production',
    },
  })
  FEED_CURSOR_SECRET: string = DEVELOPMENT_CURSOR_SECRET;

  /** `static`: permissions from ACCESS_POLICY_FILE (or the built-in development policy); `http`: the Access service at ACCESS_URL. */
  @IsIn(['static', 'http'])
  ACCESS_MODE: string = 'static';

  @IsOptional()
  @IsString()
  ACCESS_POLICY_FILE?: string;

  @ValidateIf((config: FeedApiConfig) => config.ACCESS_MODE === 'http')
  @Matches(/^https?:\/\/.+/, { message: 'must be the http(s) base URL of the Access service (required with ACCESS_MODE=http)' })
  ACCESS_URL?: string;

  /** Our key for signing calls to the Access service (internal HMAC scheme). */
  @ValidateIf((config: FeedApiConfig) => config.ACCESS_MODE === 'http')
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be the key id the Access service knows us by (required with ACCESS_MODE=http)' })
  ACCESS_KEY_ID?: string;

  @ValidateIf((config: FeedApiConfig) => config.ACCESS_MODE === 'http')
  @Matches(/^[A-Za-z0-9+/]{22,}={0,2}$/, { message: 'must be a base64 secret of 16+ bytes (required with ACCESS_MODE=http)' })
  ACCESS_KEY_SECRET?: string;

  /** Longer than this and the check fails closed (503). */
  @IsInt()
  @Min(10)
  @Max(10_000)
  ACCESS_TIMEOUT_MS: number = 500;

  @IsInt()
  @Min(0)
  ACCESS_CACHE_ALLOW_TTL_SECONDS: number = 60;

  @IsInt()
  @Min(0)
  ACCESS_CACHE_DENY_TTL_SECONDS: number = 10;

  /** Keys other services sign /internal calls with: JSON { "<keyId>": { "caller": "...", "secret": "<base64>" } }. */
  @ValidateBy({
    name: 'internalKeys',
    validator: {
      validate: (value: unknown, args) => {
        if ((args?.object as FeedApiConfig).NODE_ENV === 'production' && value === DEVELOPMENT_INTERNAL_KEYS) return false;
        try {
          return parseInternalKeys(String(value)).size > 0;
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be JSON {"<keyId>":{"caller":"<service>","secret":"<base64, 16+ bytes>"}} (and set explicitly in production)',
    },
  })
  INTERNAL_HMAC_KEYS: string = DEVELOPMENT_INTERNAL_KEYS;

  /** A player may ask for a manual sync of one link once per this many seconds. */
  @IsInt()
  @Min(1)
  MANUAL_SYNC_COOLDOWN_SECONDS: number = 60;

  /** Requests per minute per player (and per calling service). */
  @IsInt()
  @Min(1)
  FEED_RATE_LIMIT_PER_MINUTE: number = 600;

  /** Where browsers reach this API (redirects from Steam sign-in come back here). Defaults to http://127.0.0.1:<PORT>. */
  @IsOptional()
  @Matches(/^https?:\/\/[^/?#]+$/, { message: 'must be an http(s) origin without a path, e.g. https://activity.example.com' })
  FEED_API_PUBLIC_URL?: string;

  /** Failed authentications per minute per client address; beyond it the address gets 429 before any token is checked. */
  @IsInt()
  @Min(1)
  FEED_AUTH_FAILURES_PER_MINUTE: number = 120;

  /**
   * How long a user's cached first pages and unread count live in Redis. Changes drop them at once
   * (feed.updated, read-marker moves); this bounds what a lost invalidation could leave behind.
   */
  @IsInt()
  @Min(1)
  @Max(86_400)
  FEED_CACHE_TTL_SECONDS: number = 300;

  /** A streaming replica for reads that may be slightly stale (see docs/performance.md); none by default. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_REPLICA_URL?: string;

  /** Past this lag behind the primary, replica reads go to the primary. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  FEED_REPLICA_MAX_LAG_MS: number = 1_000;
}
