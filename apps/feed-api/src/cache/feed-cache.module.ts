import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { GenerationalCache, LOGGER, MemoryGenerationalStore, REDIS, RedisGenerationalStore, SERVICE_CONFIG } from '@activity/platform';
import type { FeedApiConfig } from '../feed-api.config';

/**
 * One generational cache per user's feed (Redis across instances): the first pages and the unread
 * count are its variants, and `feed.updated` or a read-marker move drops them all with one bump.
 */
@Module({
  providers: [
    {
      provide: GenerationalCache,
      useFactory: (redis: Redis | null, config: FeedApiConfig, logger: Logger) =>
        new GenerationalCache(redis ? new RedisGenerationalStore(redis, 'feed', config.FEED_CACHE_TTL_SECONDS) : new MemoryGenerationalStore(), logger, {
          distrustAfterFailureMs: config.FEED_CACHE_TTL_SECONDS * 1000,
        }),
      inject: [REDIS, SERVICE_CONFIG, LOGGER],
    },
  ],
  exports: [GenerationalCache],
})
export class FeedCacheModule {}
