import { fromKafkaHeaders } from '../cloud-event';
import { assertValidPayload } from '../contracts/event-contracts';
import { Topic } from '../topics';
import { announceFeedUpdates } from './feed-updated.announcement';

describe('announceFeedUpdates', () => {
  it('announces one feed.updated per user with new events, keyed tenant:user', () => {
    const origin = { source: '/connector-workers', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const messages = announceFeedUpdates(
      'demo',
      [
        { id: '1', userId: 'alice', type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T10:00:00Z') },
        { id: '2', userId: 'alice', type: 'minecraft.player.quit', occurredAt: new Date('2026-11-26T11:00:00Z') },
        { id: '3', userId: 'bob', type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T09:00:00Z') },
        { id: '4', userId: null, type: 'minecraft.player.joined', occurredAt: new Date('2026-11-26T09:00:00Z') },
      ],
      origin,
    );
    expect(messages.map((m) => m.key)).toEqual(['demo:alice', 'demo:bob']);
    const alice = messages[0]!;
    expect(alice.topic).toBe(Topic.FeedUpdated);
    expect(alice.payload).toEqual({
      tenantId: 'demo',
      userId: 'alice',
      eventIds: ['1', '2'],
      types: ['minecraft.player.joined', 'minecraft.player.quit'],
      newestOccurredAt: '2026-11-26T11:00:00.000Z',
    });
    const envelope = fromKafkaHeaders(alice.headers);
    expect(envelope).toMatchObject({ tenantId: 'demo', subject: 'alice', type: 'dev.activity.feed.updated.v1' });
    expect(envelope.traceparent).toBe(origin.traceparent);
    expect(() => assertValidPayload(Topic.FeedUpdated, envelope.type, alice.payload)).not.toThrow();
  });

  it('announces nothing when nothing new was inserted (a redelivery)', () => {
    expect(announceFeedUpdates('demo', [], { source: '/x' })).toEqual([]);
  });
});
