import { newCloudEvent, toKafkaHeaders } from '../cloud-event';
import { assertValidPayload, eventTypeOf, type FeedUpdatedV1 } from '../contracts/event-contracts';
import { MessageKey, Topic } from '../topics';

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

/**
 * One `feed.updated` per user who got new events, validated against the published schema.
 * Events of unlinked identities (no user) stay on the tenant feed and announce nothing.
 */
export function announceFeedUpdates(tenantId: string, created: readonly NewFeedEntry[], origin: { source: string; traceparent?: string }): OutboxAnnouncement[] {
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
    assertValidPayload(Topic.FeedUpdated, eventTypeOf(Topic.FeedUpdated), payload);
    const cloudEvent = newCloudEvent({
      type: eventTypeOf(Topic.FeedUpdated),
      source: origin.source,
      subject: userId,
      tenantId,
      ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
    });
    return { tenantId, topic: Topic.FeedUpdated, key: MessageKey.user(tenantId, userId), headers: toKafkaHeaders(cloudEvent), payload: payload as unknown as Record<string, unknown> };
  });
}
