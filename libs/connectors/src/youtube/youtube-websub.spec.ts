import pino from 'pino';
import type { DomainError } from '@activity/domain';
import { signHubSignatureSha1, type IncomingWebhook, type SourceSubscriptions } from '@activity/connector-sdk';
import { YouTubeWebSub } from './youtube-websub';

const CHANNEL = 'UCxxxxxxxxxxxxxxxxxxxxxx';
const TOPIC = `https://www.youtube.com/xml/feeds/videos.xml?channel_id=${CHANNEL}`;
const SECRET = 'hubsecret';
const ENTRY = `<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <entry><id>yt:video:dQw4w9WgXcQ</id><yt:videoId>dQw4w9WgXcQ</yt:videoId><yt:channelId>${CHANNEL}</yt:channelId>
  <title>Speedrun &amp; chill</title><link rel="alternate" href="http://www.youtube.com/watch?v=dQw4w9WgXcQ"/>
  <author><name>Channel title</name></author><published>2015-03-06T21:40:57+00:00</published><updated>2015-03-09T19:05:24.552394234+00:00</updated></entry>
</feed>`;
const TOMBSTONE = `<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom"><at:deleted-entry ref="yt:video:dQw4w9WgXcQ" when="2024-09-09T22:34:19.642702+00:00"><link href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"/></at:deleted-entry></feed>`;

/** Our subscriptions of a source, as the gateway's store would answer. */
function subscriptions(rows: Record<string, string>): SourceSubscriptions & { settled: string[] } {
  const settled: string[] = [];
  return {
    settled,
    find: async (id) => (rows[id] ? { kind: 'videos', status: rows[id]! } : null),
    confirm: async (id, expiresAt) => void settled.push(`confirm ${id} ${expiresAt?.toISOString() ?? '-'}`),
    deny: async (id, reason) => void settled.push(`deny ${id} ${reason}`),
  };
}

const get = (query: Record<string, string>): IncomingWebhook => ({ method: 'GET', headers: {}, query, body: Buffer.alloc(0) });
const post = (body: string, signature?: string): IncomingWebhook => ({
  method: 'POST',
  headers: { 'content-type': 'application/atom+xml', ...(signature ? { 'x-hub-signature': signature } : {}) },
  query: {},
  body: Buffer.from(body),
});

describe('YouTubeWebSub', () => {
  const scheme = new YouTubeWebSub(pino({ level: 'silent' }));
  const now = new Date('2026-11-28T00:00:00Z');

  it('signs with HMAC-SHA1 as PLATFORMS.md’s vector says', () => {
    expect(signHubSignatureSha1('hubsecret', '<feed/>')).toBe('sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55');
    expect(scheme.verify(post('<feed/>', 'sha1=48baeb85e2153a4a692fcb75ffd634ead2fa1c55'), [SECRET]).body).toEqual({ entries: [], tombstones: [] });
  });

  it('echoes hub.challenge as text for a topic we asked for, and confirms it with the lease the hub granted', async () => {
    const ours = subscriptions({ [TOPIC]: 'pending' });
    const reply = await scheme.handshake(get({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.challenge': 'abc', 'hub.lease_seconds': '432000' }), [SECRET], now, {}, ours);
    expect(reply).toEqual({ status: 200, contentType: 'text/plain', body: 'abc' });
    expect(ours.settled).toEqual([`confirm ${TOPIC} 2026-12-03T00:00:00.000Z`]);
  });

  it('answers 404 for a topic we never asked for, or one that is not a YouTube channel feed, confirming nothing', async () => {
    const ours = subscriptions({});
    const other = TOPIC.replace('xxxx', 'yyyy');
    expect(await scheme.handshake(get({ 'hub.mode': 'subscribe', 'hub.topic': other, 'hub.challenge': 'abc' }), [SECRET], now, {}, ours)).toMatchObject({ status: 404 });
    expect(await scheme.handshake(get({ 'hub.mode': 'subscribe', 'hub.topic': 'https://evil.example/feed', 'hub.challenge': 'abc' }), [SECRET], now, {}, ours)).toMatchObject({
      status: 404,
    });
    expect(ours.settled).toEqual([]);
  });

  it('confirms an unsubscribe only for a topic we no longer want', async () => {
    const request = get({ 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.challenge': 'bye' });
    expect(await scheme.handshake(request, [SECRET], now, {}, subscriptions({ [TOPIC]: 'enabled' }))).toMatchObject({ status: 404 });
    expect(await scheme.handshake(request, [SECRET], now, {}, subscriptions({ [TOPIC]: 'removing' }))).toEqual({ status: 200, contentType: 'text/plain', body: 'bye' });
    expect(await scheme.handshake(request, [SECRET], now, {}, subscriptions({}))).toEqual({ status: 200, contentType: 'text/plain', body: 'bye' });
  });

  it('marks a denied subscription failed with the hub’s reason', async () => {
    const ours = subscriptions({ [TOPIC]: 'pending' });
    expect(await scheme.handshake(get({ 'hub.mode': 'denied', 'hub.topic': TOPIC, 'hub.reason': 'too many subscriptions' }), [SECRET], now, {}, ours)).toMatchObject({
      status: 200,
    });
    expect(ours.settled).toEqual([`deny ${TOPIC} too many subscriptions`]);
  });

  it('refuses a verification without a challenge or with an unknown mode (400)', async () => {
    const ours = subscriptions({ [TOPIC]: 'pending' });
    await expect(scheme.handshake(get({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC }), [SECRET], now, {}, ours)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(scheme.handshake(get({ 'hub.mode': 'publish', 'hub.topic': TOPIC, 'hub.challenge': 'x' }), [SECRET], now, {}, ours)).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('ignores a notification with a bad or missing signature but answers 202, as WebSub allows', async () => {
    expect(await scheme.handshake(post(ENTRY, signHubSignatureSha1('wrong-secret', ENTRY)), [SECRET], now)).toEqual({ status: 202 });
    expect(await scheme.handshake(post(ENTRY), [SECRET], now)).toEqual({ status: 202 });
    expect(await scheme.handshake(post(ENTRY, signHubSignatureSha1(SECRET, ENTRY)), [SECRET], now)).toBeNull();
  });

  it('reads entries with the XML parser, dedupes a retried body by its hash, and without the Data API makes an upload of the entry', async () => {
    const signed = post(ENTRY, signHubSignatureSha1(SECRET, ENTRY));
    const verified = scheme.verify(signed, [SECRET]);
    expect(verified.accountKey).toBe(CHANNEL);
    expect(scheme.verify(signed, [SECRET]).deliveryId).toBe(verified.deliveryId);
    const events = await scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'youtube.video.published',
        sourceEventId: 'youtube:video:dQw4w9WgXcQ:published',
        externalAccountId: CHANNEL,
        revisable: true,
        object: expect.objectContaining({ name: 'Speedrun & chill', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }),
        occurredAt: new Date('2015-03-06T21:40:57Z'),
      }),
    ]);
  });

  it('turns a tombstone into the withdrawal of every event the video gave, and no new event', async () => {
    const verified = scheme.verify(post(TOMBSTONE, signHubSignatureSha1(SECRET, TOMBSTONE)), [SECRET]);
    const delivery = { tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body };
    expect(await scheme.normalize(delivery)).toEqual([]);
    expect(scheme.retractions(delivery)).toEqual([
      {
        sourceEventIds: ['youtube:video:dQw4w9WgXcQ:published', 'youtube:video:dQw4w9WgXcQ:scheduled', 'youtube:video:dQw4w9WgXcQ:started', 'youtube:video:dQw4w9WgXcQ:ended'],
        reason: 'video dQw4w9WgXcQ deleted on YouTube',
      },
    ]);
  });

  it('refuses a signed body that is no Atom feed (400) and a bad signature outside the handshake (401)', () => {
    expect(() => scheme.verify(post('{"not":"xml"}', signHubSignatureSha1(SECRET, '{"not":"xml"}')), [SECRET])).toThrow(
      expect.objectContaining({ code: 'validation_failed' }) as unknown as DomainError,
    );
    expect(() => scheme.verify(post(ENTRY, 'sha1=00'), [SECRET])).toThrow(expect.objectContaining({ code: 'signature_invalid' }) as unknown as DomainError);
  });
});
