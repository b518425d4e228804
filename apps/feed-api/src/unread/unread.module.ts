import { Module } from '@nestjs/common';
import { FeedReadMarkerStore } from '@activity/persistence';
import { GenerationalCache } from '@activity/platform';
import { FeedCacheModule } from '../cache/feed-cache.module';
import { UnreadCounter } from './unread-counter';

/** Unread counts per user, cached (Redis across instances) and invalidated by feed.updated. */
@Module({
  imports: [FeedCacheModule],
  providers: [
    {
      provide: UnreadCounter,
      useFactory: (markers: FeedReadMarkerStore, cache: GenerationalCache) => new UnreadCounter(markers, cache),
      inject: [FeedReadMarkerStore, GenerationalCache],
    },
  ],
  exports: [UnreadCounter],
})
export class UnreadModule {}
