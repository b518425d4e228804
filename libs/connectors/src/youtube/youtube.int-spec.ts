import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import pino from 'pino';
import { RetryableError, type SourceSubscriptions, type SyncLink, type UpstreamSubscription } from '@activity/connector-sdk';
import { CircuitBreaker, LocalSharedState, LocalTokenBucket, RedisSharedState } from '@activity/resilience';
import { FakeYouTubeServer, signWebSubSha1, testEnvironment, waitFor, youTubeEntryFeed, youTubeTopic } from '@activity/testing';
import { UpstreamHttp } from '../upstream/upstream-http';
import { YouTubeDataApiClient, YouTubeQuotaExhaustedError } from './youtube-data-api';
import { YouTubeChannelLinking } from './youtube-linking';
import { YouTubeLiveSync } from './youtube-live-sync';
import { YouTubeLiveWatch } from './youtube-live-watch';
import { YouTubeQuota } from './youtube-quota';
import { YouTubeWebSub } from './youtube-websub';
import { YouTubeWebSubLifecycle } from './youtube-websub-lifecycle';

const CHANNEL = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';
const SECRET = 'youtube-websub-test-secret';
const logger = pino({ level: 'silent' });

function http(upstream: string): UpstreamHttp {
  return new UpstreamHttp(
    upstream,
    { timeoutMs: 2_000, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 50 },
    new LocalTokenBucket(1000, 1000),
    new CircuitBreaker({ failureThreshold: 50, openMs: 1000, dependency: upstream, isFailure: (error) => error instanceof RetryableError }),
    logger,
  );
}

describe('YouTube against the fake YouTube (real HTTP, real Redis): WebSub leases, the Data API and its quota, live detection', () => {
  const environment = testEnvironment();
  let fake: FakeYouTubeServer;
  let redis: Redis;
  const namespace = `youtube-test:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    redis = new Redis(environment.redisUrl, { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    redis.disconnect();
  });
  beforeEach(async () => {
    fake = await FakeYouTubeServer.start();
    fake.addChannel({ id: CHANNEL, title: 'Google for Developers', handle: '@googledevelopers' });
  });
  afterEach(async () => {
    await fake.stop();
  });

  const client = (quota: YouTubeQuota, keys = [...fake.apiKeys]) => new YouTubeDataApiClient({ baseUrl: `${fake.url}/youtube/v3`, keys }, http('youtube'), quota, logger);
  const roomyQuota = () => new YouTubeQuota(new LocalSharedState(), { unitsPerDay: 10_000, searchPricing: 'units', searchCallsPerDay: 100 });

  describe('WebSub leases through our handshake', () => {
    let callback: Server;
    let callbackUrl: string;
    // What the gateway's store would hold for the source: topic → status and lease.
    const rows = new Map<string, { status: string; expiresAt?: Date; reason?: string }>();
    const subscriptions: SourceSubscriptions = {
      find: async (id) => (rows.has(id) ? { kind: 'videos', status: rows.get(id)!.status } : null),
      confirm: async (id, expiresAt) => void rows.set(id, { status: 'enabled', ...(expiresAt ? { expiresAt } : {}) }),
      deny: async (id, reason) => void rows.set(id, { status: 'failed', reason }),
    };
    const scheme = new YouTubeWebSub(logger);
    const link: SyncLink = { id: 'link-1', tenantId: 't', userId: 'u', externalId: CHANNEL };
    const lifecycle = () => new YouTubeWebSubLifecycle(http('youtube-hub'), { hubUrl: `${fake.url}/hub/subscribe`, leaseSeconds: 3_600, renewBeforeSeconds: 600 });
    const intake = () => ({ sourceId: 'src', callbackUrl, secret: SECRET });
    const known = (): UpstreamSubscription[] =>
      [...rows.entries()].map(([id, row]) => ({
        id,
        kind: 'videos',
        status: row.status as UpstreamSubscription['status'],
        ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
      }));

    beforeEach(async () => {
      rows.clear();
      callback = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const url = new URL(request.url ?? '/', 'http://127.0.0.1');
          const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
          scheme
            .handshake(
              { method: request.method as 'GET' | 'POST', headers, query: Object.fromEntries(url.searchParams), body: Buffer.concat(chunks) },
              [SECRET],
              new Date(),
              {},
              subscriptions,
            )
            .then((reply) => {
              if (reply) response.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {}).end(reply.body ?? '');
              else response.writeHead(202).end();
            })
            .catch(() => response.writeHead(400).end());
        });
      });
      await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
      callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/v1/webhooks/youtube/src`;
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => callback.close(() => resolve()));
    });

    it('subscribes with topic, callback, lease and secret; the hub’s verification is answered with the challenge and confirms the lease', async () => {
      const hub = lifecycle();
      for (const planned of hub.plan(link, known())) rows.set(planned.id, { status: planned.status });
      expect(await hub.ensure(link, intake(), known())).toEqual([{ id: youTubeTopic(CHANNEL), kind: 'videos', status: 'pending' }]);
      expect(fake.requests.find((request) => request.path === '/hub/subscribe')?.form).toEqual({
        'hub.mode': 'subscribe',
        'hub.topic': youTubeTopic(CHANNEL),
        'hub.callback': callbackUrl,
        'hub.verify': 'async',
        'hub.lease_seconds': '3600',
        'hub.secret': SECRET,
      });
      await waitFor('the lease granted', () => Boolean(fake.leaseOf(CHANNEL)), 5_000);
      expect(fake.verifications).toEqual([expect.objectContaining({ mode: 'subscribe', status: 200, verified: true })]);
      expect(rows.get(youTubeTopic(CHANNEL))?.status).toBe('enabled');
      expect(rows.get(youTubeTopic(CHANNEL))!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      // Notifications now come signed with our secret, and pass the handshake (null: a delivery to verify).
      const [sent] = await fake.notify(CHANNEL, youTubeEntryFeed({ id: 'vid0000001', channelId: CHANNEL, title: 'Hello', publishedAt: new Date().toISOString() }, 'Google'));
      expect(sent!.status).toBe(202);
    });

    it('does not verify a topic it never asked for (404), so the hub grants no lease', async () => {
      const other = 'UC' + 'z'.repeat(22);
      fake.addChannel({ id: other, title: 'Someone else', handle: '@someone' });
      // Someone else asks the hub to send another channel to our callback.
      await fetch(`${fake.url}/hub/subscribe`, {
        method: 'POST',
        body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': youTubeTopic(other), 'hub.callback': callbackUrl }),
      });
      await waitFor('the verification attempt', () => fake.verifications.length === 1, 5_000);
      expect(fake.verifications[0]).toMatchObject({ status: 404, verified: false });
      expect(fake.leaseOf(other)).toBeUndefined();
    });

    it('renews a lease ending within renewBeforeSeconds, and leaves a younger one alone', async () => {
      const hub = lifecycle();
      const topic = youTubeTopic(CHANNEL);
      rows.set(topic, { status: 'enabled', expiresAt: new Date(Date.now() + 3_000_000) });
      expect(await hub.ensure(link, intake(), known())).toEqual(known());
      expect(fake.requests.filter((request) => request.path === '/hub/subscribe')).toHaveLength(0);

      rows.set(topic, { status: 'enabled', expiresAt: new Date(Date.now() + 300_000) });
      const before = rows.get(topic)!.expiresAt!;
      // Renewing keeps the lease enabled while the hub verifies.
      expect(hub.plan(link, known())).toEqual([expect.objectContaining({ status: 'pending' })]);
      expect((await hub.ensure(link, intake(), known()))[0]).toMatchObject({ status: 'enabled' });
      await waitFor('the renewed lease', () => rows.get(topic)!.expiresAt!.getTime() > before.getTime(), 5_000);
      expect(fake.requests.filter((request) => request.path === '/hub/subscribe')).toHaveLength(1);
    });

    it('marks a subscription the hub denied as failed, with its reason', async () => {
      const topic = youTubeTopic(CHANNEL);
      fake.denyTopics.set(topic, 'subscription limit reached');
      rows.set(topic, { status: 'pending' });
      await lifecycle().ensure(link, intake(), known());
      await waitFor('the denial', () => rows.get(topic)?.status === 'failed', 5_000);
      expect(rows.get(topic)?.reason).toBe('subscription limit reached');
      expect(fake.leaseOf(CHANNEL)).toBeUndefined();
    });

    it('unsubscribes on unlink: the hub’s verification is confirmed once we no longer want the topic', async () => {
      const hub = lifecycle();
      const topic = youTubeTopic(CHANNEL);
      rows.set(topic, { status: 'pending' });
      await hub.ensure(link, intake(), known());
      await waitFor('the lease granted', () => Boolean(fake.leaseOf(CHANNEL)), 5_000);
      rows.set(topic, { status: 'removing' });
      await hub.remove(link, intake(), { id: topic, kind: 'videos', status: 'enabled' });
      await waitFor('the lease gone', () => !fake.leaseOf(CHANNEL), 5_000);
      expect(fake.verifications.at(-1)).toMatchObject({ mode: 'unsubscribe', verified: true });
    });

    it('a notification signed with another secret is answered 202 and goes no further', async () => {
      const body = youTubeEntryFeed({ id: 'vid0000002', channelId: CHANNEL, title: 'Forged', publishedAt: new Date().toISOString() }, 'Google');
      const answer = await fetch(callbackUrl, { method: 'POST', headers: { 'x-hub-signature': signWebSubSha1('not-our-secret', body) }, body });
      expect(answer.status).toBe(202);
    });
  });

  describe('the Data API and its quota', () => {
    it('links a channel by id, handle or URL, and names one that does not exist', async () => {
      const linking = new YouTubeChannelLinking(client(roomyQuota()));
      const expected = { externalId: CHANNEL, displayName: 'Google for Developers' };
      expect(await linking.resolve({ account: CHANNEL })).toEqual(expected);
      expect(await linking.resolve({ account: '@googledevelopers' })).toEqual(expected);
      expect(await linking.resolve({ account: 'https://www.youtube.com/@GoogleDevelopers' })).toEqual(expected);
      expect(await linking.resolve({ account: `youtube.com/channel/${CHANNEL}` })).toEqual(expected);
      await expect(linking.resolve({ account: '@nobody-here' })).rejects.toMatchObject({
        code: 'validation_failed',
        details: [expect.objectContaining({ rule: 'youtubeChannelExists' })],
      });
      await expect(linking.resolve({ account: 'not a channel' })).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('counts units per key in Redis, shared by two replicas; stops calling when the day’s units are spent', async () => {
      const options = { unitsPerDay: 3, searchPricing: 'units' as const, searchCallsPerDay: 100 };
      const first = client(new YouTubeQuota(new RedisSharedState(redis, `${namespace}:units`), options));
      const second = client(new YouTubeQuota(new RedisSharedState(redis, `${namespace}:units`), options));
      await first.channelsById([CHANNEL]);
      await second.channelsById([CHANNEL]);
      await first.channelsById([CHANNEL]);
      const made = fake.requests.length;
      await expect(second.channelsById([CHANNEL])).rejects.toBeInstanceOf(YouTubeQuotaExhaustedError);
      // Refused before calling Google: the call would only have been charged.
      expect(fake.requests.length).toBe(made);
      await expect(second.channelsById([CHANNEL])).rejects.toMatchObject({ code: 'upstream_quota_exhausted', message: expect.stringMatching(/used up until .*midnight Pacific/) });
    });

    it('on 403 quotaExceeded rests the key until the reset and moves to the next key; with every key spent, fails without calling', async () => {
      fake.apiKeys.add('fake-youtube-api-key-second-000');
      fake.unitsPerDay = 1;
      const quota = new YouTubeQuota(new RedisSharedState(redis, `${namespace}:403`), { unitsPerDay: 10_000, searchPricing: 'units', searchCallsPerDay: 100 });
      const api = client(quota, ['fake-youtube-api-key-0123456789', 'fake-youtube-api-key-second-000']);
      await api.videos(['vid0000001']);
      // The first key's day is over at Google: the call moves to the second.
      await api.videos(['vid0000001']);
      expect((await quota.usage('fake-youtube-api-key-0123456789')).exhausted).toBe(true);
      expect(fake.requests.filter((request) => request.path === '/youtube/v3/videos').map((request) => request.query['key'])).toEqual([
        'fake-youtube-api-key-0123456789',
        'fake-youtube-api-key-0123456789',
        'fake-youtube-api-key-second-000',
      ]);
      await expect(api.videos(['vid0000001'])).rejects.toBeInstanceOf(YouTubeQuotaExhaustedError);
      const calls = fake.requests.length;
      await expect(api.videos(['vid0000001'])).rejects.toBeInstanceOf(YouTubeQuotaExhaustedError);
      expect(fake.requests.length).toBe(calls);
    });

    it('charges search.list 100 units in the `units` model and one call of its own in the `calls` model, as the fake does', async () => {
      const units = new YouTubeQuota(new RedisSharedState(redis, `${namespace}:search-units`), { unitsPerDay: 10_000, searchPricing: 'units', searchCallsPerDay: 100 });
      await client(units).liveVideoIds(CHANNEL);
      expect(await units.usage([...fake.apiKeys][0]!)).toMatchObject({ units: 100, searchCalls: 0 });
      expect(fake.usage.get([...fake.apiKeys][0]!)).toEqual({ units: 100, searchCalls: 0 });

      fake.resetQuota();
      fake.searchPricing = 'calls';
      const calls = new YouTubeQuota(new RedisSharedState(redis, `${namespace}:search-calls`), { unitsPerDay: 10_000, searchPricing: 'calls', searchCallsPerDay: 100 });
      await client(calls).liveVideoIds(CHANNEL);
      expect(await calls.usage([...fake.apiKeys][0]!)).toMatchObject({ units: 0, searchCalls: 1 });
      expect(fake.usage.get([...fake.apiKeys][0]!)).toEqual({ units: 0, searchCalls: 1 });
    });
  });

  describe('live detection', () => {
    it('follows a scheduled stream to live and to its end, once each, and a stream already live on the first sync', async () => {
      const api = client(roomyQuota());
      const watch = new YouTubeLiveWatch(new RedisSharedState(redis, `${namespace}:live`));
      const sync = new YouTubeLiveSync(api, watch);
      const link: SyncLink = { id: 'link-1', tenantId: 't', userId: 'u', externalId: CHANNEL };
      fake.addVideo({ id: 'alreadyLive1', channelId: CHANNEL, title: 'Marathon', publishedAt: '2026-11-27T08:00:00Z', live: { actualStartTime: '2026-11-27T08:00:00Z' } });
      const first = await sync.run(link, {});
      expect(first.events.map((event) => event.type)).toEqual(['youtube.stream.started']);
      expect(fake.requests.filter((request) => request.path === '/youtube/v3/search')).toHaveLength(1);

      // A notification brings a scheduled stream (normalised in connector-workers with the Data API).
      const scheme = new YouTubeWebSub(logger, { api, watch });
      fake.addVideo({ id: 'upcoming001', channelId: CHANNEL, title: 'Launch day', publishedAt: '2026-11-28T09:00:00Z', live: { scheduledStartTime: '2026-11-28T18:00:00Z' } });
      const body = youTubeEntryFeed(fake.videos.get('upcoming001')!, 'Google for Developers');
      const verified = scheme.verify({ method: 'POST', headers: { 'x-hub-signature': signWebSubSha1(SECRET, body) }, query: {}, body: Buffer.from(body) }, [SECRET]);
      const scheduled = await scheme.normalize({ tenantId: 't', sourceId: 's', deliveryId: verified.deliveryId, body: verified.body }, { latestEvent: async () => null });
      expect(scheduled.map((event) => event.type)).toEqual(['youtube.stream.scheduled']);

      fake.videos.get('upcoming001')!.live = { scheduledStartTime: '2026-11-28T18:00:00Z', actualStartTime: '2026-11-28T18:01:00Z' };
      fake.videos.get('alreadyLive1')!.live = { actualStartTime: '2026-11-27T08:00:00Z', actualEndTime: '2026-11-27T10:30:00Z' };
      const second = await sync.run(link, first.state);
      expect(second.events.map((event) => `${event.type} ${event.sourceEventId}`).sort()).toEqual([
        'youtube.stream.ended youtube:video:alreadyLive1:ended',
        'youtube.stream.started youtube:video:alreadyLive1:started',
        'youtube.stream.started youtube:video:upcoming001:started',
      ]);
      expect(fake.requests.filter((request) => request.path === '/youtube/v3/search')).toHaveLength(1);

      fake.videos.get('upcoming001')!.live = { scheduledStartTime: '2026-11-28T18:00:00Z', actualStartTime: '2026-11-28T18:01:00Z', actualEndTime: '2026-11-28T19:01:00Z' };
      const third = await sync.run(link, second.state);
      expect(third.events.find((event) => event.type === 'youtube.stream.ended')?.payload).toMatchObject({ durationMinutes: 60 });
      // Both settled: nothing left to watch, nothing more to call.
      expect(await watch.watched(CHANNEL)).toEqual([]);
      const calls = fake.requests.length;
      expect((await sync.run(link, third.state)).events).toEqual([]);
      expect(fake.requests.length).toBe(calls);
    });
  });
});
