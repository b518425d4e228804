import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { FeedReadMarkerStore } from '@activity/persistence';
import { LOGGER, REDIS } from '@activity/platform';
import { MemoryUnreadCache, RedisUnreadCache, UnreadCounter } from './unread-counter';

/** Unread counts per user, cached (Redis across instances) and invalidated by feed.updated. */
@Module({
  providers: [
    {
      provide: UnreadCounter,
      useFactory: (markers: FeedReadMarkerStore, redis: Redis | null, logger: Logger) =>
        new UnreadCounter(markers, redis ? new RedisUnreadCache(redis) : new MemoryUnreadCache(), logger),
      inject: [FeedReadMarkerStore, REDIS, LOGGER],
    },
  ],
  exports: [UnreadCounter],
})
export class UnreadModule {}
