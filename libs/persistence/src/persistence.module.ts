import { Global, Module } from '@nestjs/common';
import { AccountLinkClaimStore } from './stores/account-link-claim.store';
import { UpstreamSubscriptionStore } from './stores/upstream-subscription.store';
import { AccountLinkStore } from './stores/account-link.store';
import { ActivityEventStore } from './stores/activity-event.store';
import { FeedGroupStore } from './stores/feed-group.store';
import { FeedReadMarkerStore } from './stores/feed-read-marker.store';
import { GatewayShardStateStore } from './stores/gateway-shard-state.store';
import { NotificationStore } from './stores/notification.store';
import { OutboxStore } from './stores/outbox.store';
import { SyncRunStore } from './stores/sync-run.store';
import { WebhookSourceMappingStore } from './stores/webhook-source-mapping.store';

const STORES = [
  AccountLinkClaimStore,
  AccountLinkStore,
  ActivityEventStore,
  FeedReadMarkerStore,
  FeedGroupStore,
  GatewayShardStateStore,
  NotificationStore,
  OutboxStore,
  SyncRunStore,
  UpstreamSubscriptionStore,
  WebhookSourceMappingStore,
];

/**
 * Every tenant-data store, injectable anywhere. Needs DATA_SOURCE from the service runtime.
 * (WebhookSourceStore is not here: it needs the secret cipher, which only its users configure.)
 */
@Global()
@Module({ providers: STORES, exports: STORES })
export class PersistenceModule {}
