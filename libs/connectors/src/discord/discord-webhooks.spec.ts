import { DomainError } from '@activity/domain';
import { DISCORD_TEST_PUBLIC_KEY_HEX, signDiscordWebhook } from '@activity/testing';
import { DiscordWebhooks } from './discord-webhooks';

const PING = '{"version":1,"application_id":"1234560123453231555","type":0}';
const VECTOR_SIGNATURE = '7b88916344941240e12cf98c1c19d4769c1e466af944c4fad16aebf290bb8a451e94ea7f4bae2862f901fc6bbaf85092f6179179a69fca5b1040e756bee12b05';

const request = (body: string, headers: Record<string, string | undefined>) => ({ method: 'POST' as const, headers, query: {}, body: Buffer.from(body) });
const signed = (body: string, timestamp = '1700000000') => request(body, { 'x-signature-ed25519': signDiscordWebhook(body, timestamp), 'x-signature-timestamp': timestamp });
const event = (type: string, user = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', discriminator: '0', avatar: null }) =>
  JSON.stringify({
    version: 1,
    application_id: '1234560123453231555',
    type: 1,
    event: { type, timestamp: '2024-10-18T14:42:53.064834', data: { integration_type: 1, scopes: ['identify', 'connections'], user } },
  });
const codeOf = (work: () => unknown) => {
  try {
    work();
    return 'accepted';
  } catch (error) {
    return error instanceof DomainError ? error.code : String(error);
  }
};

describe('DiscordWebhooks', () => {
  const scheme = new DiscordWebhooks();
  const keys = [DISCORD_TEST_PUBLIC_KEY_HEX];

  it('answers the PLATFORMS.md test vector PING with 204 and an empty body', () => {
    expect(signDiscordWebhook(PING, '1700000000')).toBe(VECTOR_SIGNATURE);
    expect(scheme.handshake(request(PING, { 'x-signature-ed25519': VECTOR_SIGNATURE, 'x-signature-timestamp': '1700000000' }), keys)).toEqual({ status: 204 });
  });

  it('refuses a flipped signature byte, another timestamp, a missing header and an unknown key with signature_invalid (401), PING or not', () => {
    const flipped = (VECTOR_SIGNATURE.slice(0, 10) + (VECTOR_SIGNATURE[10] === '0' ? '1' : '0') + VECTOR_SIGNATURE.slice(11)) as string;
    expect(codeOf(() => scheme.handshake(request(PING, { 'x-signature-ed25519': flipped, 'x-signature-timestamp': '1700000000' }), keys))).toBe('signature_invalid');
    expect(codeOf(() => scheme.handshake(request(PING, { 'x-signature-ed25519': VECTOR_SIGNATURE, 'x-signature-timestamp': '1700000001' }), keys))).toBe('signature_invalid');
    expect(codeOf(() => scheme.handshake(request(PING, { 'x-signature-timestamp': '1700000000' }), keys))).toBe('signature_invalid');
    expect(codeOf(() => scheme.verify(signed(event('APPLICATION_AUTHORIZED')), ['0'.repeat(64)]))).toBe('signature_invalid');
    expect(scheme.handshake(signed(event('APPLICATION_AUTHORIZED')), keys)).toBeNull();
  });

  it('uses the signed bytes as the delivery id: a retry or replay of the same delivery dedupes, another timestamp does not', () => {
    const body = event('APPLICATION_AUTHORIZED');
    const first = scheme.verify(signed(body), keys);
    expect(scheme.verify(signed(body), keys).deliveryId).toBe(first.deliveryId);
    expect(scheme.verify(signed(body, '1700000099'), keys).deliveryId).not.toBe(first.deliveryId);
    expect(first.accountKey).toBe('80351110224678912');
    expect(scheme.acceptedStatus).toBe(204);
  });

  it('turns APPLICATION_AUTHORIZED into discord.app.authorized for the user, with Discord’s zone-less timestamp read as UTC', () => {
    const verified = scheme.verify(signed(event('APPLICATION_AUTHORIZED')), keys);
    const [authorized] = scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body });
    expect(authorized).toMatchObject({
      type: 'discord.app.authorized',
      externalAccountId: '80351110224678912',
      actor: { id: 'discord:user:80351110224678912', name: 'Nelly' },
      payload: { scopes: ['identify', 'connections'], integrationType: 'user' },
    });
    expect(authorized!.occurredAt.toISOString()).toBe('2024-10-18T14:42:53.064Z');
    expect(scheme.linkRevocation({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body })).toBeNull();
  });

  it('turns APPLICATION_DEAUTHORIZED into a revocation of the user’s link (and no feed event); other event types into nothing', () => {
    const deauthorized = scheme.verify(signed(event('APPLICATION_DEAUTHORIZED')), keys);
    const delivery = { tenantId: 't', sourceId: 's', deliveryId: deauthorized.deliveryId, body: deauthorized.body };
    expect(scheme.normalize(delivery)).toEqual([]);
    expect(scheme.linkRevocation(delivery)).toEqual({ externalAccountId: '80351110224678912', reason: 'deauthorized on Discord', at: new Date('2024-10-18T14:42:53.064Z') });
    const entitlement = scheme.verify(signed(event('ENTITLEMENT_CREATE')), keys);
    expect(scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: entitlement.deliveryId, body: entitlement.body })).toEqual([]);
  });

  it('refuses signed bodies that break the envelope with a validation error naming the field (not JSON: malformed_json)', () => {
    const fieldOf = (body: string) => {
      try {
        scheme.verify(signed(body), keys);
        return 'accepted';
      } catch (error) {
        return (error as DomainError).details?.[0]?.field ?? (error as DomainError).code;
      }
    };
    expect(fieldOf('not json')).toBe('malformed_json');
    expect(fieldOf('[]')).toBe('body');
    expect(fieldOf('{"version":1,"application_id":"1","type":7}')).toBe('type');
    expect(fieldOf('{"version":1,"application_id":"x","type":1}')).toBe('application_id');
    expect(fieldOf('{"version":1,"application_id":"1","type":1,"event":{"type":"X","timestamp":"yesterday"}}')).toBe('event');
    expect(fieldOf(event('APPLICATION_AUTHORIZED', { id: 'nope' } as never))).toBe('event.data.user.id');
  });
});
