import { Module } from '@nestjs/common';
import { FeedCursor, GroupCursor, SearchCursor } from '@activity/domain';
import { ActivityEventStore, FeedGroupStore, FeedReadMarkerStore, ReplicaRouting } from '@activity/persistence';
import { ReplicaStores } from '../replica/replica.module';
import { GenerationalCache, SERVICE_CONFIG } from '@activity/platform';
import { FeedCacheModule } from '../cache/feed-cache.module';
import type { FeedApiConfig } from '../feed-api.config';
import { LegacyFeedController } from '../legacy/legacy-feed.controller';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReadBroadcast } from '../realtime/read-broadcast';
import { RealtimeController } from '../realtime/realtime.controller';
import { RealtimeModule } from '../realtime/realtime.module';
import { UnreadCounter } from '../unread/unread-counter';
import { UnreadModule } from '../unread/unread.module';
import { AggregatedFeedService } from './aggregated-feed.service';
import { FeedController } from './feed.controller';
import { FeedGroupsController } from './feed-groups.controller';
import { FeedSearchController } from './feed-search.controller';
import { FeedSearchService } from './feed-search.service';
import { FeedService } from './feed.service';

/** Feed reads (v2 plain and aggregated, the deprecated v1, long-poll and SSE), search, read markers and unread counts. */
@Module({
  imports: [UnreadModule, RealtimeModule, FeedCacheModule, NotificationsModule],
  controllers: [FeedController, FeedGroupsController, FeedSearchController, RealtimeController, LegacyFeedController],
  providers: [
    {
      provide: FeedService,
      useFactory: (
        events: ActivityEventStore,
        markers: FeedReadMarkerStore,
        unread: UnreadCounter,
        reads: ReadBroadcast,
        config: FeedApiConfig,
        cache: GenerationalCache,
        replica: ReplicaStores,
        routing: ReplicaRouting,
      ) => new FeedService(events, markers, unread, reads, new FeedCursor(config.FEED_CURSOR_SECRET), cache, { events: replica.events, routing }),
      inject: [ActivityEventStore, FeedReadMarkerStore, UnreadCounter, ReadBroadcast, SERVICE_CONFIG, GenerationalCache, ReplicaStores, ReplicaRouting],
    },
    {
      provide: AggregatedFeedService,
      useFactory: (groups: FeedGroupStore, reads: ReadBroadcast, config: FeedApiConfig, cache: GenerationalCache, unread: UnreadCounter) =>
        new AggregatedFeedService(groups, new GroupCursor(config.FEED_CURSOR_SECRET), reads, cache, unread),
      inject: [FeedGroupStore, ReadBroadcast, SERVICE_CONFIG, GenerationalCache, UnreadCounter],
    },
    {
      provide: FeedSearchService,
      useFactory: (events: ActivityEventStore, config: FeedApiConfig, replica: ReplicaStores, routing: ReplicaRouting) =>
        new FeedSearchService(events, new SearchCursor(config.FEED_CURSOR_SECRET), { events: replica.events, routing }),
      inject: [ActivityEventStore, SERVICE_CONFIG, ReplicaStores, ReplicaRouting],
    },
  ],
})
export class FeedModule {}
