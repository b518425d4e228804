import type Redis from 'ioredis';
import { IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Logger } from 'pino';
import { CircuitBreaker, LocalTokenBucket, RedisTokenBucket } from '@activity/resilience';
import { RetryableError, SteamWebApiClient } from './steam-web-api.client';
import type { SteamConnectorOptions } from './steam.connector';

/**
 * Steam settings, loaded next to a service's own config by the services that talk to Steam
 * (feed-api to resolve links, connector-workers to sync). Without STEAM_API_KEY the Steam
 * connector is not offered.
 */
export class SteamSettings {
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  STEAM_API_BASE_URL: string = 'https://api.steampowered.com';

  /** Steam's OpenID 2.0 provider: players link Steam by signing in there. */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  STEAM_OPENID_URL: string = 'https://steamcommunity.com/openid/login';

  @IsOptional()
  @Matches(/^[A-Za-z0-9]{16,64}$/, { message: 'must be a Steam Web API key' })
  STEAM_API_KEY?: string;

  /** Shared by every worker replica. 100,000 calls a day is ~1.16/s; stay under it by default. */
  @IsNumber()
  @Min(0.01)
  STEAM_RATE_LIMIT_PER_SECOND: number = 1.1;

  @IsInt()
  @Min(1)
  STEAM_RATE_LIMIT_BURST: number = 10;

  @IsInt()
  @Min(100)
  @Max(60_000)
  STEAM_TIMEOUT_MS: number = 5_000;

  @IsInt()
  @Min(1)
  @Max(10)
  STEAM_MAX_ATTEMPTS: number = 4;

  /** On a link's first sync, achievements unlocked this many days back become events. */
  @IsInt()
  @Min(0)
  STEAM_BACKFILL_DAYS: number = 30;
}

/** The Steam client every service builds the same way: shared Redis token bucket (or local), retries, circuit breaker. */
export function createSteamDependencies(settings: SteamSettings, redis: Redis | null, logger: Logger): { client: SteamWebApiClient; options: SteamConnectorOptions } | undefined {
  if (!settings.STEAM_API_KEY) return undefined;
  const gate = redis
    ? new RedisTokenBucket(redis, 'steam', settings.STEAM_RATE_LIMIT_PER_SECOND, settings.STEAM_RATE_LIMIT_BURST)
    : new LocalTokenBucket(settings.STEAM_RATE_LIMIT_PER_SECOND, settings.STEAM_RATE_LIMIT_BURST);
  const breaker = new CircuitBreaker({
    failureThreshold: 5,
    openMs: 30_000,
    dependency: 'Steam',
    isFailure: (error) => error instanceof RetryableError,
    onStateChange: (state) => logger.warn({ upstream: 'steam', state }, 'Steam circuit changed state'),
  });
  const client = new SteamWebApiClient(
    { baseUrl: settings.STEAM_API_BASE_URL, apiKey: settings.STEAM_API_KEY, timeoutMs: settings.STEAM_TIMEOUT_MS, maxAttempts: settings.STEAM_MAX_ATTEMPTS, backoffBaseMs: 500, backoffMaxMs: 30_000 },
    gate,
    breaker,
    logger.child({ upstream: 'steam' }),
  );
  return { client, options: { backfillDays: settings.STEAM_BACKFILL_DAYS, rateLimit: { requestsPerSecond: settings.STEAM_RATE_LIMIT_PER_SECOND, burst: settings.STEAM_RATE_LIMIT_BURST } } };
}
