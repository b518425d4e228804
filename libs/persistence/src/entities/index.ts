import { AccountLinkEntity } from './account-link.entity';
import { ActivityEventEntity } from './activity-event.entity';
import { FeedReadMarkerEntity } from './feed-read-marker.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { SyncRunEntity } from './sync-run.entity';
import { WebhookSourceSecretEntity } from './webhook-source-secret.entity';
import { WebhookSourceEntity } from './webhook-source.entity';

export * from './account-link.entity';
export * from './activity-event.entity';
export * from './feed-read-marker.entity';
export * from './outbox-message.entity';
export * from './sync-run.entity';
export * from './webhook-source-secret.entity';
export * from './webhook-source.entity';

export const ENTITIES = [
  AccountLinkEntity,
  ActivityEventEntity,
  FeedReadMarkerEntity,
  OutboxMessageEntity,
  SyncRunEntity,
  WebhookSourceEntity,
  WebhookSourceSecretEntity,
];
