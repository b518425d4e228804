import { fromKafkaHeaders, newCloudEvent, toKafkaHeaders } from './cloud-event';
import { assertValidPayload, eventTypeOf } from './contracts/event-contracts';
import { MalformedMessageError } from './message-errors';
import { Topic } from './topics';

describe('CloudEvents binary mode', () => {
  const event = newCloudEvent({
    type: eventTypeOf(Topic.FeedUpdated),
    source: '/connector-workers',
    subject: 'alice',
    tenantId: 'demo',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });

  it('writes the documented headers and reads them back', () => {
    const headers = toKafkaHeaders(event);
    expect(headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'dev.activity.feed.updated.v1', ce_tenantid: 'demo', ce_subject: 'alice', 'content-type': 'application/json' });
    expect(headers['ce_id']).toMatch(/^[0-9a-f-]{36}$/);
    const buffers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(fromKafkaHeaders(buffers)).toEqual(event);
  });

  it('rejects a message without the required attributes', () => {
    expect(() => fromKafkaHeaders({ ce_id: Buffer.from('x') })).toThrow(MalformedMessageError);
  });

  it('rejects a non-JSON content type', () => {
    expect(() => fromKafkaHeaders({ ...toKafkaHeaders(event), 'content-type': 'application/avro' })).toThrow(/not JSON/);
  });
});

describe('event contracts', () => {
  const valid = { tenantId: 'demo', userId: 'alice', eventIds: ['1'], types: ['minecraft.player.joined'], newestOccurredAt: '2026-11-26T10:00:00.000Z' };

  it('accepts a payload matching its schema', () => {
    expect(() => assertValidPayload(Topic.FeedUpdated, 'dev.activity.feed.updated.v1', valid)).not.toThrow();
  });

  it('rejects an unknown major version', () => {
    expect(() => assertValidPayload(Topic.FeedUpdated, 'dev.activity.feed.updated.v2', valid)).toThrow(expect.objectContaining({ reason: 'unsupported_major_version' }));
  });

  it('rejects a type of another topic', () => {
    expect(() => assertValidPayload(Topic.FeedUpdated, 'dev.activity.webhook.received.v1', valid)).toThrow(expect.objectContaining({ reason: 'unknown_event_type' }));
  });

  it('names the violated field', () => {
    expect(() => assertValidPayload(Topic.FeedUpdated, 'dev.activity.feed.updated.v1', { ...valid, eventIds: [] })).toThrow(/\/eventIds/);
    expect(() => assertValidPayload(Topic.FeedUpdated, 'dev.activity.feed.updated.v1', { ...valid, extra: 1 })).toThrow(/additional/);
  });
});
