import { assertValidPayload, fromKafkaHeaders, Topic } from '@activity/messaging';
import { feedUpdates } from './webhook-normalizer';

describe('feedUpdates', () => {
  it('announces one feed.updated per user with new events, keyed tenant:user', () => {
    const messages = feedUpdates('demo', [
      { id: '1', userId: 'alice', type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T10:00:00Z') },
      { id: '2', userId: 'alice', type: 'minecraft.player.quit', occurredAt: new Date('2026-11-26T11:00:00Z') },
      { id: '3', userId: 'bob', type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T09:00:00Z') },
      { id: '4', userId: null, type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T09:00:00Z') },
    ]);
    expect(messages.map((m) => m.key)).toEqual(['demo:alice', 'demo:bob']);
    const alice = messages[0]!;
    expect(alice.topic).toBe(Topic.FeedUpdated);
    expect(alice.payload).toEqual({ tenantId: 'demo', userId: 'alice', eventIds: ['1', '2'], types: ['minecraft.player.joined', 'minecraft.player.quit'], newestOccurredAt: '2026-11-26T11:00:00.000Z' });
    const envelope = fromKafkaHeaders(alice.headers);
    expect(envelope).toMatchObject({ tenantId: 'demo', subject: 'alice', type: 'dev.activity.feed.updated.v1' });
    expect(envelope.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(() => assertValidPayload(Topic.FeedUpdated, envelope.type, alice.payload)).not.toThrow();
  });

  it('announces nothing when nothing new was inserted (a redelivery)', () => {
    expect(feedUpdates('demo', [])).toEqual([]);
  });
});
