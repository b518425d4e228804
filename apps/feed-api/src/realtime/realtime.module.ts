import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER, REDIS } from '@activity/platform';
import { UnreadModule } from '../unread/unread.module';
import { FeedNotifier } from './feed-notifier';
import { FeedUpdatesController } from './feed-updates.controller';
import { ReadBroadcast } from './read-broadcast';

/** Starts the read-marker subscription with the app; ends waiting clients before the server closes. */
@Injectable()
class RealtimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ReadBroadcast) private readonly reads: ReadBroadcast,
    @Inject(FeedNotifier) private readonly notifier: FeedNotifier,
  ) {}

  onApplicationBootstrap(): void {
    this.reads.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.notifier.closeAll();
    await this.reads.stop();
  }
}

/** Wakes a user's long-poll and SSE clients: on feed.updated (Kafka) and when another device marks read (Redis). */
@Module({
  imports: [UnreadModule],
  controllers: [FeedUpdatesController],
  providers: [
    FeedNotifier,
    {
      provide: ReadBroadcast,
      useFactory: (redis: Redis | null, notifier: FeedNotifier, logger: Logger) => new ReadBroadcast(redis, notifier, logger),
      inject: [REDIS, FeedNotifier, LOGGER],
    },
    RealtimeLifecycle,
  ],
  exports: [FeedNotifier, ReadBroadcast],
})
export class RealtimeModule {}
