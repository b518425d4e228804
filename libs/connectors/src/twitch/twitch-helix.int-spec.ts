import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { LocalSharedState, LocalTokenBucket } from '@activity/resilience';
import { FakeTwitchServer } from '@activity/testing';
import { HelixClient } from './helix-client';
import { TwitchAppToken } from './twitch-app-token';
import { TwitchClipsSync } from './twitch-clips-sync';
import { TwitchEventSubLifecycle } from './twitch-eventsub-lifecycle';
import { TwitchEventSubWebhooks } from './twitch-eventsub-webhooks';
import { TwitchTypedLinking } from './twitch-linking';

const BROADCASTER = '67955580';
const SECRET = 'twitch-eventsub-test-secret';

describe('Twitch against the fake Twitch (real HTTP): Helix, app tokens, EventSub subscriptions, clips', () => {
  let fake: FakeTwitchServer;
  let callback: Server;
  let callbackUrl: string;
  let helix: HelixClient;
  const link = { id: 'link-1', tenantId: 't', userId: 'u', externalId: BROADCASTER };

  beforeEach(async () => {
    fake = await FakeTwitchServer.start();
    fake.addUser({ id: BROADCASTER, login: 'chewiemelodies', display_name: 'ChewieMelodies' });
    // Our intake, answering Twitch's verification with the scheme the gateway uses.
    const scheme = new TwitchEventSubWebhooks();
    callback = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
        try {
          const reply = scheme.handshake({ method: 'POST', headers, query: {}, body: Buffer.concat(chunks) }, [SECRET]);
          if (reply) response.writeHead(reply.status, { 'content-type': reply.contentType! }).end(reply.body);
          else response.writeHead(204).end();
        } catch {
          response.writeHead(403).end();
        }
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/v1/webhooks/twitch/src`;
    helix = new HelixClient(
      { baseUrl: fake.helixUrl, clientId: fake.clientId, timeoutMs: 2_000, maxWaitMs: 5_000 },
      new TwitchAppToken({ authBaseUrl: fake.authUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, timeoutMs: 2_000 }),
      new LocalSharedState(),
      new LocalTokenBucket(100, 100),
      pino({ level: 'silent' }),
    );
  });
  afterEach(async () => {
    await fake.stop();
    await new Promise<void>((resolve) => callback.close(() => resolve()));
  });

  it('sends Client-Id and the app token on every call, and resolves a login, a URL or an id to the broadcaster id', async () => {
    const linking = new TwitchTypedLinking(helix);
    expect(await linking.resolve({ account: 'ChewieMelodies' })).toEqual({ externalId: BROADCASTER, displayName: 'ChewieMelodies' });
    expect(await linking.resolve({ account: 'https://www.twitch.tv/chewiemelodies/' })).toEqual({ externalId: BROADCASTER, displayName: 'ChewieMelodies' });
    expect(await linking.resolve({ account: BROADCASTER })).toMatchObject({ externalId: BROADCASTER });
    await expect(linking.resolve({ account: 'nobody_here' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(linking.resolve({ account: 'not a login!' })).rejects.toMatchObject({ code: 'validation_failed' });
    const helixCalls = fake.requests.filter((request) => request.path.startsWith('/helix/'));
    expect(helixCalls.every((request) => request.clientId === fake.clientId && /^Bearer .+/.test(request.authorization ?? ''))).toBe(true);
    expect(fake.appTokensIssued).toBe(1);
  });

  it('asks for a new app token once when Helix refuses the current one (401), and honours a 429 until the bucket resets', async () => {
    await helix.usersById(BROADCASTER);
    fake.expireAppTokens();
    expect(await helix.usersById(BROADCASTER)).toMatchObject({ login: 'chewiemelodies' });
    expect(fake.appTokensIssued).toBe(2);

    fake.rateLimitNext = 1;
    fake.rateLimitResetSeconds = 1;
    const before = fake.requests.length;
    expect(await helix.usersById(BROADCASTER)).toMatchObject({ login: 'chewiemelodies' });
    const [limited, retried] = fake.requests.slice(before);
    // The retry waited for the reset the 429 named (Ratelimit-Reset: epoch seconds, at least a second ahead).
    expect(retried!.at).toBeGreaterThanOrEqual((Math.ceil(limited!.at / 1000) + 1) * 1000);
    expect(fake.requests.slice(before)).toHaveLength(2);
  });

  it('creates stream.online, stream.offline and channel.update subscriptions that Twitch verifies through our handshake; a revoked one is replaced on the next reconcile; unlinking deletes them', async () => {
    const lifecycle = new TwitchEventSubLifecycle(helix);
    const intake = { sourceId: 'src', callbackUrl, secret: SECRET };
    const first = await lifecycle.ensure(link, intake, []);
    expect(first.map((subscription) => [subscription.kind, subscription.status])).toEqual([
      ['stream.online', 'pending'],
      ['stream.offline', 'pending'],
      ['channel.update', 'pending'],
    ]);
    // Twitch's verification went to our callback and was answered with the challenge.
    const verifications = () => fake.deliveries.filter((delivery) => delivery.type === 'webhook_callback_verification');
    while (verifications().length < 3 || [...fake.subscriptions.values()].some((subscription) => subscription.status.includes('pending')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(verifications().every((delivery) => delivery.status === 200 && delivery.contentType?.startsWith('text/plain'))).toBe(true);
    expect([...fake.subscriptions.values()].map((subscription) => subscription.status)).toEqual(['enabled', 'enabled', 'enabled']);

    const again = await lifecycle.ensure(link, intake, first);
    expect(again.map((subscription) => subscription.status)).toEqual(['enabled', 'enabled', 'enabled']);
    expect(again.map((subscription) => subscription.id)).toEqual(first.map((subscription) => subscription.id));

    const online = first[0]!;
    fake.subscriptions.get(online.id)!.status = 'authorization_revoked';
    const healed = await lifecycle.ensure(link, intake, again);
    expect(healed[0]!.id).not.toBe(online.id);
    expect(fake.subscriptions.has(online.id)).toBe(false);

    for (const subscription of healed) await lifecycle.remove(link, intake, subscription);
    expect(fake.subscriptions.size).toBe(0);
  });

  it('refuses our callback when the secret does not match: the subscription fails verification', async () => {
    const lifecycle = new TwitchEventSubLifecycle(helix);
    await lifecycle.ensure(link, { sourceId: 'src', callbackUrl, secret: 'a-different-secret' }, []);
    while ([...fake.subscriptions.values()].some((subscription) => subscription.status.includes('pending'))) await new Promise((resolve) => setTimeout(resolve, 10));
    expect([...fake.subscriptions.values()].map((subscription) => subscription.status)).toEqual(Array(3).fill('webhook_callback_verification_failed'));
    expect(fake.deliveries.every((delivery) => delivery.status === 403)).toBe(true);
  });

  it('syncs clips across cursor pages from the last sync on, and an unchanged re-sync yields nothing', async () => {
    const now = new Date();
    for (let i = 0; i < 5; i += 1) fake.addClip(BROADCASTER, { id: `Clip${i}`, title: `clip ${i}`, created_at: new Date(now.getTime() - (i + 1) * 3_600_000).toISOString() });
    fake.addClip(BROADCASTER, { id: 'Ancient', created_at: new Date(now.getTime() - 30 * 86_400_000).toISOString() });
    fake.clipsPageSize = 2;
    const sync = new TwitchClipsSync(helix, { backfillDays: 7 });
    const first = await sync.run(link, {}, now);
    expect(first.events.map((event) => event.payload['clipId']).sort()).toEqual(['Clip0', 'Clip1', 'Clip2', 'Clip3', 'Clip4']);
    expect(first.events[0]).toMatchObject({ type: 'twitch.clip.created', sourceEventId: 'twitch:clip:Clip0', externalAccountId: BROADCASTER, payload: { creator: 'BlackNova03' } });
    const pages = fake.requests.filter((request) => request.path === '/helix/clips');
    expect(pages).toHaveLength(3);
    expect(pages[1]!.query['after']).toBeDefined();

    const unchanged = await sync.run(link, first.state, new Date(now.getTime() + 60_000));
    expect(unchanged.events).toEqual([]);
    fake.addClip(BROADCASTER, { id: 'Fresh', created_at: new Date(now.getTime() + 30_000).toISOString() });
    const later = await sync.run(link, unchanged.state, new Date(now.getTime() + 120_000));
    expect(later.events.map((event) => event.payload['clipId'])).toEqual(['Fresh']);
  });
});
