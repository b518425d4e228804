import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import {
  AccessControl,
  AccessGuard,
  HttpAccessChecker,
  InternalRequestVerifier,
  JwtVerifier,
  MemoryDecisionCache,
  nonceStoreFor,
  PERMISSION_CHECKER,
  parseInternalKeys,
  REQUEST_ADMISSION,
  RedisDecisionCache,
  StaticPolicyChecker,
} from '@activity/auth';
import { LOGGER, REDIS, SERVICE_CONFIG } from '@activity/platform';
import type { FeedApiConfig } from '../feed-api.config';
import { RateLimitAdmission } from '../rate-limit/rate-limit-admission';
import { RateLimiter } from '../rate-limit/rate-limiter';

/** Who may call what: player JWTs checked against the Access service, signed internal calls, rate limits. */
@Global()
@Module({
  providers: [
    { provide: JwtVerifier, useFactory: (config: FeedApiConfig) => JwtVerifier.create(config), inject: [SERVICE_CONFIG] },
    {
      provide: PERMISSION_CHECKER,
      useFactory: (config: FeedApiConfig, redis: Redis | null, logger: Logger) =>
        config.ACCESS_MODE === 'http'
          ? new HttpAccessChecker(
              {
                url: config.ACCESS_URL!,
                key: { id: config.ACCESS_KEY_ID!, secret: config.ACCESS_KEY_SECRET! },
                timeoutMs: config.ACCESS_TIMEOUT_MS,
                allowTtlSeconds: config.ACCESS_CACHE_ALLOW_TTL_SECONDS,
                denyTtlSeconds: config.ACCESS_CACHE_DENY_TTL_SECONDS,
                breaker: { failureThreshold: 5, openMs: 10_000 },
              },
              redis ? new RedisDecisionCache(redis) : new MemoryDecisionCache(),
              logger,
            )
          : StaticPolicyChecker.fromFile(config.ACCESS_POLICY_FILE),
      inject: [SERVICE_CONFIG, REDIS, LOGGER],
    },
    {
      provide: InternalRequestVerifier,
      useFactory: (config: FeedApiConfig, redis: Redis | null) => new InternalRequestVerifier(parseInternalKeys(config.INTERNAL_HMAC_KEYS), nonceStoreFor(redis)),
      inject: [SERVICE_CONFIG, REDIS],
    },
    AccessControl,
    { provide: APP_GUARD, useClass: AccessGuard },
    {
      provide: REQUEST_ADMISSION,
      useFactory: (config: FeedApiConfig, redis: Redis | null, logger: Logger) =>
        new RateLimitAdmission(new RateLimiter(redis, config.FEED_RATE_LIMIT_PER_MINUTE, logger), new RateLimiter(redis, config.FEED_AUTH_FAILURES_PER_MINUTE, logger)),
      inject: [SERVICE_CONFIG, REDIS, LOGGER],
    },
  ],
  exports: [JwtVerifier, PERMISSION_CHECKER, InternalRequestVerifier, AccessControl, REQUEST_ADMISSION],
})
export class AccessModule {}
