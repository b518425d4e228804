/** The service's Kafka topics (see docs/events.md and docs/asyncapi.json). */
export const Topic = {
  WebhookReceived: 'webhook.received',
  SyncRequested: 'sync.requested',
  FeedUpdated: 'feed.updated',
  AccountLinked: 'account.linked',
  SyncCompleted: 'sync.completed',
  LinkPreviewRequested: 'link.preview.requested',
  FeedItemUpdated: 'feed.item.updated',
  NotificationCreated: 'notification.created',
} as const;

export type TopicName = (typeof Topic)[keyof typeof Topic];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topic);

export function deadLetterTopicOf(topic: TopicName): string {
  return `${topic}.dlq`;
}

/** Message keys: they decide the partition, hence what stays in order. */
export const MessageKey = {
  webhook: (tenantId: string, source: string, account: string) => `${tenantId}:${source}:${account}`,
  user: (tenantId: string, userId: string) => `${tenantId}:${userId}`,
  accountLink: (tenantId: string, accountLinkId: string) => `${tenantId}:${accountLinkId}`,
  event: (tenantId: string, eventId: string) => `${tenantId}:event:${eventId}`,
};

/**
 * Maps logical topic names to physical ones. A prefix lets tests and several local stacks share
 * one broker without reading each other's messages; production runs without one.
 */
export class TopicNames {
  constructor(private readonly prefix = '') {}

  physical(topic: string): string {
    return `${this.prefix}${topic}`;
  }

  logical(physical: string): string {
    return this.prefix && physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }
}
