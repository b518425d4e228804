import { Module } from '@nestjs/common';
import { SignedCursorCodec } from '@activity/domain';
import { NotificationStore } from '@activity/persistence';
import { SERVICE_CONFIG } from '@activity/platform';
import type { FeedApiConfig } from '../feed-api.config';
import { ReadBroadcast } from '../realtime/read-broadcast';
import { RealtimeModule } from '../realtime/realtime.module';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** The notification feed (@mentions): pages, counts, seen and read, synced to the user's other clients. */
@Module({
  imports: [RealtimeModule],
  controllers: [NotificationsController],
  providers: [
    {
      provide: NotificationsService,
      useFactory: (store: NotificationStore, broadcast: ReadBroadcast, config: FeedApiConfig) =>
        new NotificationsService(store, new SignedCursorCodec(config.FEED_CURSOR_SECRET), broadcast),
      inject: [NotificationStore, ReadBroadcast, SERVICE_CONFIG],
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
