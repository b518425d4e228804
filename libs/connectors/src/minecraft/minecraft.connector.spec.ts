import { DomainError } from '@activity/domain';
import { signStandardWebhook } from '@activity/connector-sdk';
import { minecraftConnector, MinecraftWebhooks } from './minecraft.connector';

const SECRET = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';
const UUID = 'a11ce000-0000-4000-8000-000000000001';

function delivery(body: unknown, id = 'msg_1', now = new Date()) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    method: 'POST' as const,
    query: {},
    headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(SECRET, id, timestamp, raw) },
    body: raw,
  };
}

const advancement = {
  type: 'player.advancement',
  occurredAt: '2026-11-26T10:00:00Z',
  server: { id: 'survival-1', name: 'Survival' },
  player: { uuid: UUID, name: 'alice_mc' },
  data: { advancement: { key: 'minecraft:story/mine_diamond', title: 'Diamonds!' } },
  plugin: { version: '1.2.0' },
};

describe('MinecraftConnector', () => {
  const connector = new MinecraftWebhooks();

  it('verifies, parses, and keys a delivery by player UUID', () => {
    const verified = connector.verify(delivery(advancement), [SECRET]);
    expect(verified).toEqual({ deliveryId: 'msg_1', body: advancement, accountKey: UUID });
  });

  it('checks the signature before looking at the body', () => {
    const bad = { ...delivery('not json'), headers: { ...delivery('not json').headers, 'webhook-signature': 'v1,AAAA' } };
    expect(() => connector.verify(bad, [SECRET])).toThrow(expect.objectContaining({ code: 'signature_invalid' }));
  });

  it('reports malformed JSON as such', () => {
    expect(() => connector.verify(delivery('{"type":'), [SECRET])).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });

  it('rejects unknown types with unknown_event_type', () => {
    expect(() => connector.verify(delivery({ ...advancement, type: 'player.chat' }), [SECRET])).toThrow(
      expect.objectContaining({ code: 'unknown_event_type', params: { type: 'player.chat' } }),
    );
  });

  it('lists every violated field', () => {
    const { player: _player, ...withoutPlayer } = advancement;
    try {
      connector.verify(delivery({ ...withoutPlayer, occurredAt: 'yesterday', data: {} }), [SECRET]);
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const fields = (error as DomainError).details?.map((violation) => violation.field);
      expect(fields).toEqual(expect.arrayContaining(['player', 'occurredAt', 'data.advancement']));
    }
  });

  it('requires a message for deaths', () => {
    expect(() => connector.verify(delivery({ ...advancement, type: 'player.death', data: {} }), [SECRET])).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('normalises an advancement into an Activity Streams event, keeping extra fields in the payload', () => {
    const [event] = connector.normalize({ tenantId: 'demo', sourceId: 'demo-minecraft', deliveryId: 'msg_1', body: advancement });
    expect(event).toEqual({
      source: 'minecraft',
      sourceEventId: 'msg_1',
      type: 'minecraft.player.advancement',
      externalAccountId: UUID,
      actor: { type: 'Person', id: `minecraft:player:${UUID}`, name: 'alice_mc' },
      object: { type: 'Object', id: 'minecraft:advancement:minecraft:story/mine_diamond', name: 'Diamonds!' },
      target: { type: 'Service', id: 'minecraft:server:demo-minecraft:survival-1', name: 'Survival' },
      occurredAt: new Date('2026-11-26T10:00:00Z'),
      payload: advancement,
    });
  });

  it.each(['player.joined', 'player.quit'])('normalises %s without an object', (type) => {
    const [event] = connector.normalize({ tenantId: 'demo', sourceId: 's', deliveryId: 'm', body: { ...advancement, type, data: undefined } });
    expect(event?.type).toBe(`minecraft.${type}`);
    expect(event).not.toHaveProperty('object');
  });

  it('describes its capabilities', () => {
    expect(minecraftConnector).toMatchObject({ name: 'minecraft', capabilities: { webhook: true, sync: false } });
    expect(minecraftConnector.eventTypes.map((eventType) => eventType.type)).toContain('minecraft.player.death');
  });
});
