import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { consumerBinding, Topic, type FeedItemUpdatedV1, type FeedUpdatedV1, type NotificationCreatedV1 } from '@activity/messaging';
import { UnreadCounter } from '../unread/unread-counter';
import { FeedNotifier } from './feed-notifier';

/**
 * Every feed-api instance reads all of feed.updated (its own consumer group, starting at the
 * end): it invalidates the user's unread count and wakes the user's waiting clients. Reads do
 * not depend on it: if Kafka is away, health says degraded and real-time updates pause.
 */
@Controller()
export class FeedUpdatesController {
  constructor(
    @Inject(UnreadCounter) private readonly unread: UnreadCounter,
    @Inject(FeedNotifier) private readonly notifier: FeedNotifier,
  ) {}

  @EventPattern(Topic.FeedUpdated, consumerBinding({ group: 'feed-api.broadcast', broadcast: true, healthName: 'feed-updates-consumer' }))
  async onFeedUpdated(@Payload() update: FeedUpdatedV1): Promise<void> {
    await this.unread.invalidate(update.tenantId, update.userId);
    this.notifier.notify(update.tenantId, update.userId, { kind: 'updated' });
  }

  /** An event already in a feed changed (its link previews arrived): drop the owner's cached pages, tell open streams. */
  @EventPattern(Topic.FeedItemUpdated, consumerBinding({ group: 'feed-api.item-updates', broadcast: true, healthName: 'feed-item-updates-consumer' }))
  async onFeedItemUpdated(@Payload() update: FeedItemUpdatedV1): Promise<void> {
    if (update.userId) await this.unread.invalidate(update.tenantId, update.userId);
    this.notifier.notify(update.tenantId, update.userId, { kind: 'item', eventId: update.eventId });
  }

  /** The user was notified (an @mention): their open streams get it, and the new counts. */
  @EventPattern(Topic.NotificationCreated, consumerBinding({ group: 'feed-api.notifications', broadcast: true, healthName: 'notifications-consumer' }))
  onNotificationCreated(@Payload() notification: NotificationCreatedV1): void {
    this.notifier.notify(notification.tenantId, notification.userId, { kind: 'notification', notificationId: notification.notificationId });
  }
}
