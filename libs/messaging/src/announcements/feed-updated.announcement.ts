import { newCloudEvent, toKafkaHeaders } from '../cloud-event';
import { assertValidPayload, eventTypeOf, type FeedUpdatedV1, type PayloadOf } from '../contracts/event-contracts';
import { MessageKey, Topic, type TopicName } from '../topics';

export interface NewFeedEntry {
  readonly id: string;
  readonly userId: string | null;
  readonly type: string;
  readonly occurredAt: Date;
}

/** A message destined for the outbox (same shape as the persistence lib's OutboxMessage). */
export interface OutboxAnnouncement {
  readonly tenantId: string;
  readonly topic: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly payload: Record<string, unknown>;
}

export interface AnnouncementOrigin {
  readonly source: string;
  readonly traceparent?: string;
  readonly subject?: string;
}

/** Any event for the outbox: validated against its topic's schema, wrapped in CloudEvent headers. */
export function announce<T extends TopicName>(topic: T, tenantId: string, key: string, payload: PayloadOf[T], origin: AnnouncementOrigin): OutboxAnnouncement {
  const type = eventTypeOf(topic);
  assertValidPayload(topic, type, payload);
  const cloudEvent = newCloudEvent({
    type,
    source: origin.source,
    tenantId,
    ...(origin.subject ? { subject: origin.subject } : {}),
    ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
  });
  return { tenantId, topic, key, headers: toKafkaHeaders(cloudEvent), payload: payload as unknown as Record<string, unknown> };
}

/**
 * One `feed.updated` per user who got new events, validated against the published schema.
 * Events of unlinked identities (no user) stay on the tenant feed and announce nothing.
 */
export function announceFeedUpdates(tenantId: string, created: readonly NewFeedEntry[], origin: AnnouncementOrigin): OutboxAnnouncement[] {
  const byUser = new Map<string, NewFeedEntry[]>();
  for (const row of created) {
    if (row.userId) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  }
  return [...byUser].map(([userId, rows]) => {
    const payload: FeedUpdatedV1 = {
      tenantId,
      userId,
      eventIds: rows.map((row) => row.id),
      types: [...new Set(rows.map((row) => row.type))],
      newestOccurredAt: new Date(Math.max(...rows.map((row) => row.occurredAt.getTime()))).toISOString(),
    };
    return announce(Topic.FeedUpdated, tenantId, MessageKey.user(tenantId, userId), payload, { ...origin, subject: userId });
  });
}
