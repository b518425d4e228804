import { DomainError, statusOf } from '@activity/domain';
import { signTwitchEventSub } from '@activity/testing';
import { TwitchEventSubWebhooks } from './twitch-eventsub-webhooks';

const SECRET = 's3cre7';
const NOW = new Date('2019-11-16T10:15:00Z');

function message(type: string, body: string, options: { id?: string; timestamp?: string; secret?: string; signature?: string } = {}) {
  const id = options.id ?? 'e76c6bd4-55c9-4987-8304-da1588d8988b';
  const timestamp = options.timestamp ?? '2019-11-16T10:11:12.634234626Z';
  return {
    method: 'POST' as const,
    query: {},
    body: Buffer.from(body),
    headers: {
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-type': type,
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-message-signature': options.signature ?? signTwitchEventSub(options.secret ?? SECRET, id, timestamp, body),
    },
  };
}

const codeOf = (work: () => unknown) => {
  try {
    work();
    return 'accepted';
  } catch (error) {
    return error instanceof DomainError ? `${error.code}:${statusOf(error.code)}` : String(error);
  }
};

const online = JSON.stringify({
  subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', status: 'enabled', type: 'stream.online', version: '1', condition: { broadcaster_user_id: '1337' } },
  event: { id: '9001', broadcaster_user_id: '1337', broadcaster_user_login: 'cool_user', broadcaster_user_name: 'Cool_User', type: 'live', started_at: '2020-10-11T10:11:12.123Z' },
});

describe('TwitchEventSubWebhooks', () => {
  const scheme = new TwitchEventSubWebhooks();

  it('signs as the PLATFORMS.md vector says, and accepts that message', () => {
    expect(signTwitchEventSub(SECRET, 'e76c6bd4-55c9-4987-8304-da1588d8988b', '2019-11-16T10:11:12.634234626Z', '{"subscription":{},"event":{}}')).toBe(
      'sha256=cadc2027c8b54f2f9b79b0bae7a3b9499f522fd21cd6e1c1f36d5a74371e543d',
    );
    expect(codeOf(() => scheme.verify(message('notification', online), [SECRET], NOW))).toBe('accepted');
  });

  it('answers the verification with the raw challenge as text/plain, after checking its signature', () => {
    const body = JSON.stringify({
      challenge: 'pogchamp-kappa-360noscope-vohiyo',
      subscription: { id: 'x', type: 'stream.online', status: 'webhook_callback_verification_pending' },
    });
    expect(scheme.handshake(message('webhook_callback_verification', body), [SECRET], NOW)).toEqual({
      status: 200,
      contentType: 'text/plain',
      body: 'pogchamp-kappa-360noscope-vohiyo',
    });
    expect(codeOf(() => scheme.handshake(message('webhook_callback_verification', body, { secret: 'other-secret' }), [SECRET], NOW))).toBe('signature_rejected:403');
    expect(scheme.handshake(message('notification', online), [SECRET], NOW)).toBeNull();
  });

  it('refuses a bad signature with 403 and a message older (or newer) than 10 minutes', () => {
    expect(codeOf(() => scheme.verify(message('notification', online, { signature: 'sha256=' + '0'.repeat(64) }), [SECRET], NOW))).toBe('signature_rejected:403');
    expect(codeOf(() => scheme.verify(message('notification', online), [SECRET], new Date('2019-11-16T10:21:13Z')))).toBe('signature_expired:401');
    expect(codeOf(() => scheme.verify(message('notification', online), [SECRET], new Date('2019-11-16T10:01:12Z')))).toBe('signature_expired:401');
    expect(codeOf(() => scheme.verify({ ...message('notification', online), headers: {} }, [SECRET], NOW))).toBe('signature_rejected:403');
  });

  it('uses the message id as the delivery id (a redelivery dedupes) and the broadcaster as the account', () => {
    const verified = scheme.verify(message('notification', online), [SECRET], NOW);
    expect(verified).toMatchObject({ deliveryId: 'e76c6bd4-55c9-4987-8304-da1588d8988b', accountKey: '1337' });
  });

  it('turns stream.online into twitch.stream.started with the channel’s latest title and category', async () => {
    const verified = scheme.verify(message('notification', online), [SECRET], NOW);
    const context = {
      latestEvent: async (type: string) => (type === 'twitch.channel.updated' ? { occurredAt: new Date(0), payload: { title: 'Speedrun night', category: 'Celeste' } } : null),
    };
    const [started] = await scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body }, context);
    expect(started).toMatchObject({
      type: 'twitch.stream.started',
      externalAccountId: '1337',
      actor: { id: 'twitch:user:1337', name: 'Cool_User' },
      object: { name: 'Speedrun night', url: 'https://www.twitch.tv/cool_user' },
      payload: { titled: 'yes', streamId: '9001', streamType: 'live', title: 'Speedrun night', category: 'Celeste' },
    });
    expect(started!.occurredAt.toISOString()).toBe('2020-10-11T10:11:12.123Z');
  });

  it('turns stream.offline into twitch.stream.ended with the length since the stored start; unknown without one', async () => {
    const offline = JSON.stringify({
      subscription: { id: 's2', type: 'stream.offline', version: '1', condition: { broadcaster_user_id: '1337' } },
      event: { broadcaster_user_id: '1337', broadcaster_user_login: 'cool_user', broadcaster_user_name: 'Cool_User' },
    });
    const verified = scheme.verify(message('notification', offline), [SECRET], NOW);
    const delivery = { tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body };
    const [ended] = await scheme.normalize(delivery, { latestEvent: async () => ({ occurredAt: new Date('2019-11-16T08:41:12.634Z'), payload: {} }) });
    expect(ended).toMatchObject({ type: 'twitch.stream.ended', payload: { length: 'known', durationSeconds: 5400, durationMinutes: 90 } });
    const [unknown] = await scheme.normalize(delivery);
    expect(unknown!.payload).toEqual({ length: 'unknown' });
  });

  it('turns channel.update into twitch.channel.updated, and a revocation into a subscription revocation (no event)', async () => {
    const update = JSON.stringify({
      subscription: { id: 's3', type: 'channel.update', version: '2', condition: { broadcaster_user_id: '1337' } },
      event: {
        broadcaster_user_id: '1337',
        broadcaster_user_login: 'cool_user',
        broadcaster_user_name: 'Cool_User',
        title: 'Best Stream Ever',
        language: 'en',
        category_id: '12453',
        category_name: 'Grand Theft Auto',
      },
    });
    const verified = scheme.verify(message('notification', update), [SECRET], NOW);
    expect((await scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body }))[0]).toMatchObject({
      type: 'twitch.channel.updated',
      payload: { title: 'Best Stream Ever', category: 'Grand Theft Auto', language: 'en' },
    });
    const revocation = JSON.stringify({
      subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', status: 'authorization_revoked', type: 'stream.online', condition: { broadcaster_user_id: '1337' } },
    });
    const revoked = scheme.verify(message('revocation', revocation, { id: 'r-1' }), [SECRET], NOW);
    const delivery = { tenantId: 't', sourceId: 's', deliveryId: revoked.deliveryId, body: revoked.body };
    expect(await scheme.normalize(delivery)).toEqual([]);
    expect(scheme.subscriptionRevocation(delivery)).toEqual({ subscriptionId: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', reason: 'authorization_revoked' });
  });

  it('refuses signed messages that break the contract, naming the field', () => {
    const fieldOf = (type: string, body: string) => {
      try {
        scheme.verify(message(type, body), [SECRET], NOW);
        return 'accepted';
      } catch (error) {
        return (error as DomainError).details?.[0]?.field ?? (error as DomainError).code;
      }
    };
    expect(fieldOf('notification', 'nope')).toBe('malformed_json');
    expect(fieldOf('notification', '{"event":{}}')).toBe('subscription');
    expect(fieldOf('notification', '{"subscription":{"id":"a","type":"stream.online"}}')).toBe('event');
    expect(fieldOf('notification', '{"subscription":{"id":"a","type":"stream.online"},"event":{"broadcaster_user_id":"x"}}')).toBe('event.broadcaster_user_id');
    expect(fieldOf('bogus', online)).toBe('twitch-eventsub-message-type');
  });
});
