import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-http-server';

export interface FakeYouTubeChannel {
  id: string;
  title: string;
  /** `@name` */
  handle: string;
}

export interface FakeYouTubeVideo {
  id: string;
  channelId: string;
  title: string;
  publishedAt: string;
  /** Absent for an ordinary upload. */
  live?: { scheduledStartTime?: string; actualStartTime?: string; actualEndTime?: string };
}

/** A lease the fake hub granted after verifying the subscriber's intent. */
export interface FakeWebSubLease {
  topic: string;
  callback: string;
  secret?: string;
  leaseSeconds: number;
  expiresAt: number;
}

/** One intent verification the hub made, and what the subscriber answered. */
export interface FakeIntentVerification {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  challenge: string;
  status: number;
  body: string;
  verified: boolean;
}

/** What a notification to a subscriber got back. */
export interface FakeNotification {
  callback: string;
  status: number;
}

export type FakeSearchPricing = 'units' | 'calls';

/** `sha1=` HMAC-SHA1 of the raw body, as hubs sign WebSub notifications. */
export function signWebSubSha1(secret: string, body: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

export function youTubeTopic(channelId: string): string {
  return `https://www.youtube.com/xml/feeds/videos.xml?channel_id=${channelId}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An Atom notification of a video, as YouTube's hub sends it (PLATFORMS.md §4). */
export function youTubeEntryFeed(video: FakeYouTubeVideo, channelTitle: string, updated = new Date()): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
  <link rel="self" href="${escapeXml(youTubeTopic(video.channelId))}"/>
  <title>YouTube video feed</title><updated>${updated.toISOString()}</updated>
  <entry>
    <id>yt:video:${video.id}</id><yt:videoId>${video.id}</yt:videoId><yt:channelId>${video.channelId}</yt:channelId>
    <title>${escapeXml(video.title)}</title><link rel="alternate" href="http://www.youtube.com/watch?v=${video.id}"/>
    <author><name>${escapeXml(channelTitle)}</name><uri>http://www.youtube.com/channel/${video.channelId}</uri></author>
    <published>${video.publishedAt}</published><updated>${updated.toISOString()}</updated>
  </entry>
</feed>`;
}

/** A deletion tombstone (it carries no channel id). */
export function youTubeTombstoneFeed(videoId: string, channelId: string, channelTitle: string, when = new Date()): string {
  return `<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom"><at:deleted-entry ref="yt:video:${videoId}" when="${when.toISOString()}"><link href="https://www.youtube.com/watch?v=${videoId}"/><at:by><name>${escapeXml(channelTitle)}</name><uri>https://www.youtube.com/channel/${channelId}</uri></at:by></at:deleted-entry></feed>`;
}

/**
 * YouTube over real HTTP, as PLATFORMS.md §4 describes it:
 * - a WebSub hub (`POST /hub/subscribe`, form-encoded): answers 202 and then verifies intent
 *   with a `GET` to the callback (2xx with the exact `hub.challenge`, anything else fails), grants
 *   leases, signs notifications with the subscriber's `hub.secret` (`X-Hub-Signature: sha1=`),
 *   sends `denied` on demand, and tombstones;
 * - the Data API v3 (`/youtube/v3/channels|videos|search`) with API keys and a daily quota per
 *   key: every request is charged (failed ones too); search.list costs 100 units (`units`) or one
 *   of 100 daily calls of its own (`calls`); over it, 403 `quotaExceeded` until `resetQuota()`.
 */
export class FakeYouTubeServer {
  readonly apiKeys = new Set(['fake-youtube-api-key-0123456789']);
  readonly channels = new Map<string, FakeYouTubeChannel>();
  readonly videos = new Map<string, FakeYouTubeVideo>();
  readonly leases = new Map<string, FakeWebSubLease>();
  readonly verifications: FakeIntentVerification[] = [];
  readonly notifications: FakeNotification[] = [];
  readonly requests: Array<{ method: string; path: string; query: Record<string, string>; form?: Record<string, string> }> = [];
  searchPricing: FakeSearchPricing = 'units';
  unitsPerDay = 10_000;
  searchCallsPerDay = 100;
  /** Units and search calls charged per key since the last reset. */
  readonly usage = new Map<string, { units: number; searchCalls: number }>();
  /** The channel `/_fake/*` calls act for when they name none (the demo's). */
  defaultChannelId?: string;
  /** Refuse the next subscribe requests for these topics with a `denied` callback instead of verifying. */
  readonly denyTopics = new Map<string, string>();
  private server!: Server;
  private port = 0;

  static async start(port = 0): Promise<FakeYouTubeServer> {
    const fake = new FakeYouTubeServer();
    ({ server: fake.server, port: fake.port } = await listenOnLoopback(port, (request, response, raw) => fake.handle(request, response, raw)));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The environment a service needs to use this fake. */
  settings(): Record<string, string> {
    return { YOUTUBE_API_BASE_URL: `${this.url}/youtube/v3`, YOUTUBE_HUB_URL: `${this.url}/hub/subscribe`, YOUTUBE_API_KEYS: [...this.apiKeys].join(',') };
  }

  addChannel(channel: FakeYouTubeChannel): FakeYouTubeChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  addVideo(video: FakeYouTubeVideo): FakeYouTubeVideo {
    this.videos.set(video.id, video);
    return video;
  }

  resetQuota(): void {
    this.usage.clear();
  }

  /** The lease of a topic for a callback, if verified and not expired. */
  leaseOf(channelId: string, callback?: string): FakeWebSubLease | undefined {
    return [...this.leases.values()].find((lease) => lease.topic === youTubeTopic(channelId) && (!callback || lease.callback === callback) && lease.expiresAt > Date.now());
  }

  /** Notifies every subscriber of the video's channel, signed with each one's secret. */
  async publish(videoId: string): Promise<FakeNotification[]> {
    const video = this.videos.get(videoId);
    if (!video) throw new Error(`no video ${videoId}`);
    const channel = this.channels.get(video.channelId);
    return this.notify(video.channelId, youTubeEntryFeed(video, channel?.title ?? video.channelId));
  }

  /** Deletes a video and sends its tombstone to the channel's subscribers. */
  async tombstone(videoId: string): Promise<FakeNotification[]> {
    const video = this.videos.get(videoId);
    if (!video) throw new Error(`no video ${videoId}`);
    this.videos.delete(videoId);
    return this.notify(video.channelId, youTubeTombstoneFeed(videoId, video.channelId, this.channels.get(video.channelId)?.title ?? video.channelId));
  }

  /** Sends a body to the channel's subscribers: signed with their secret, or with `signature` when given (a forgery). */
  async notify(channelId: string, body: string, signature?: string): Promise<FakeNotification[]> {
    const sent: FakeNotification[] = [];
    for (const lease of this.leases.values()) {
      if (lease.topic !== youTubeTopic(channelId) || lease.expiresAt <= Date.now()) continue;
      const headers: Record<string, string> = { 'content-type': 'application/atom+xml' };
      const signed = signature ?? (lease.secret ? signWebSubSha1(lease.secret, body) : undefined);
      if (signed) headers['x-hub-signature'] = signed;
      let status = 0;
      try {
        const response = await fetch(lease.callback, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        status = response.status;
        await response.body?.cancel();
      } catch {
        status = 0;
      }
      const notification = { callback: lease.callback, status };
      this.notifications.push(notification);
      sent.push(notification);
    }
    return sent;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
    };
    if (request.method === 'POST' && url.pathname === '/hub/subscribe') {
      const form = Object.fromEntries(new URLSearchParams(raw));
      this.requests.push({ method: 'POST', path: url.pathname, query, form });
      return this.subscribe(form, response);
    }
    if (request.method === 'POST' && url.pathname.startsWith('/_fake/')) return this.demoAction(url.pathname.slice('/_fake/'.length), raw, json);
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, query });
    const api = /^\/youtube\/v3\/(channels|videos|search)$/.exec(url.pathname);
    if (request.method !== 'GET' || !api) return json(404, { error: { code: 404, message: 'Not Found', errors: [{ reason: 'notFound' }] } });
    const key = query['key'] ?? '';
    if (!this.apiKeys.has(key)) return json(400, apiError(400, 'API key not valid. Please pass a valid API key.', 'global', 'badRequest', 'keyInvalid'));
    const resource = api[1]!;
    if (!this.charge(key, resource === 'search')) {
      return json(
        403,
        apiError(403, 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'youtube.quota', 'quotaExceeded'),
      );
    }
    if (!query['part']) return json(400, apiError(400, 'No filter selected. Expected one of: ...', 'youtube.parameter', 'missingRequiredParameter'));
    if (resource === 'channels') {
      const found = query['forHandle']
        ? [...this.channels.values()].filter((channel) => channel.handle.toLowerCase() === query['forHandle']!.toLowerCase())
        : (query['id'] ?? '')
            .split(',')
            .map((id) => this.channels.get(id))
            .filter((channel): channel is FakeYouTubeChannel => Boolean(channel));
      return json(200, {
        kind: 'youtube#channelListResponse',
        pageInfo: { totalResults: found.length, resultsPerPage: 5 },
        ...(found.length ? { items: found.map((channel) => ({ kind: 'youtube#channel', id: channel.id, snippet: { title: channel.title, customUrl: channel.handle } })) } : {}),
      });
    }
    if (resource === 'videos') {
      const found = (query['id'] ?? '')
        .split(',')
        .map((id) => this.videos.get(id))
        .filter((video): video is FakeYouTubeVideo => Boolean(video));
      return json(200, {
        kind: 'youtube#videoListResponse',
        items: found.map((video) => this.videoResource(video)),
        pageInfo: { totalResults: found.length, resultsPerPage: found.length },
      });
    }
    if (query['eventType'] && query['type'] !== 'video') return json(400, apiError(400, 'Request contains an invalid argument.', 'youtube.search', 'invalidSearchFilter'));
    const live = [...this.videos.values()].filter(
      (video) => video.channelId === query['channelId'] && (query['eventType'] !== 'live' || (video.live?.actualStartTime && !video.live.actualEndTime)),
    );
    return json(200, {
      kind: 'youtube#searchListResponse',
      items: live.map((video) => ({
        kind: 'youtube#searchResult',
        id: { kind: 'youtube#video', videoId: video.id },
        snippet: { channelId: video.channelId, title: video.title, liveBroadcastContent: broadcastOf(video) },
      })),
    });
  }

  /**
   * Demo knobs: `upload` publishes a new video, `live` a stream that is live now, `end` ends a
   * stream (the next sync sees it), `rename` retitles a video and notifies, `delete` sends its
   * tombstone. The body may name `channelId`, `videoId` and `title`.
   */
  private async demoAction(action: string, raw: string, json: (status: number, body: unknown) => void): Promise<void> {
    let input: { channelId?: string; videoId?: string; title?: string } = {};
    try {
      input = raw ? (JSON.parse(raw) as typeof input) : {};
    } catch {
      return json(400, { error: 'the body is JSON: {"channelId"?, "videoId"?, "title"?}' });
    }
    const channelId = input.channelId ?? this.defaultChannelId ?? '';
    const now = new Date().toISOString();
    const newId = () => randomBytes(8).toString('base64url').slice(0, 11);
    if (action === 'upload' || action === 'live') {
      if (!this.channels.has(channelId)) return json(404, { error: `no channel ${channelId}` });
      const video = this.addVideo({
        id: newId(),
        channelId,
        title: input.title ?? (action === 'live' ? 'Live now: ranked grind' : 'Patch notes explained'),
        publishedAt: now,
        ...(action === 'live' ? { live: { scheduledStartTime: now, actualStartTime: now } } : {}),
      });
      return json(200, { videoId: video.id, notifications: await this.publish(video.id) });
    }
    const video = input.videoId ? this.videos.get(input.videoId) : undefined;
    if (!video) return json(404, { error: `no video ${input.videoId ?? '(give videoId)'}` });
    if (action === 'end') {
      video.live = { ...video.live, actualEndTime: now };
      return json(200, { videoId: video.id, live: video.live });
    }
    if (action === 'rename') {
      video.title = input.title ?? `${video.title} (updated)`;
      return json(200, { videoId: video.id, notifications: await this.publish(video.id) });
    }
    if (action === 'delete') return json(200, { videoId: video.id, notifications: await this.tombstone(video.id) });
    return json(404, { error: `no action ${action}: upload, live, end, rename or delete` });
  }

  /** Every request costs, failed ones too; answers false when the key has no quota left for it. */
  private charge(key: string, search: boolean): boolean {
    const used = this.usage.get(key) ?? { units: 0, searchCalls: 0 };
    this.usage.set(key, used);
    if (search && this.searchPricing === 'calls') {
      if (used.searchCalls + 1 > this.searchCallsPerDay) return false;
      used.searchCalls += 1;
      return true;
    }
    const cost = search ? 100 : 1;
    if (used.units + cost > this.unitsPerDay) return false;
    used.units += cost;
    return true;
  }

  private videoResource(video: FakeYouTubeVideo): Record<string, unknown> {
    const channel = this.channels.get(video.channelId);
    return {
      kind: 'youtube#video',
      id: video.id,
      snippet: { publishedAt: video.publishedAt, channelId: video.channelId, title: video.title, channelTitle: channel?.title ?? '', liveBroadcastContent: broadcastOf(video) },
      ...(video.live ? { liveStreamingDetails: { ...video.live, ...(video.live.actualStartTime && !video.live.actualEndTime ? { concurrentViewers: '42' } : {}) } } : {}),
    };
  }

  private subscribe(form: Record<string, string>, response: ServerResponse): void {
    const mode = form['hub.mode'];
    const topic = form['hub.topic'] ?? '';
    const callback = form['hub.callback'] ?? '';
    if (
      (mode !== 'subscribe' && mode !== 'unsubscribe') ||
      !/^https:\/\/www\.youtube\.com\/xml\/feeds\/videos\.xml\?channel_id=UC[\w-]{22}$/.test(topic) ||
      !/^https?:\/\//.test(callback)
    ) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid value for hub.mode, hub.topic or hub.callback');
      return;
    }
    response.writeHead(202, { 'content-type': 'text/plain' }).end('');
    // Verification of intent follows the 202, as the Google hub does by default.
    setImmediate(() => void this.verify(mode, topic, callback, form));
  }

  private async verify(mode: 'subscribe' | 'unsubscribe', topic: string, callback: string, form: Record<string, string>): Promise<void> {
    const denied = mode === 'subscribe' ? this.denyTopics.get(topic) : undefined;
    if (denied !== undefined) {
      this.denyTopics.delete(topic);
      const target = new URL(callback);
      target.searchParams.set('hub.mode', 'denied');
      target.searchParams.set('hub.topic', topic);
      target.searchParams.set('hub.reason', denied);
      await fetch(target, { signal: AbortSignal.timeout(10_000) }).then(
        (answer) => answer.body?.cancel(),
        () => undefined,
      );
      return;
    }
    const challenge = randomBytes(16).toString('hex');
    const leaseSeconds = Math.min(Number(form['hub.lease_seconds'] ?? 432_000) || 432_000, 864_000);
    const target = new URL(callback);
    target.searchParams.set('hub.mode', mode);
    target.searchParams.set('hub.topic', topic);
    target.searchParams.set('hub.challenge', challenge);
    if (mode === 'subscribe') target.searchParams.set('hub.lease_seconds', String(leaseSeconds));
    let status = 0;
    let body = '';
    try {
      const answer = await fetch(target, { signal: AbortSignal.timeout(10_000) });
      status = answer.status;
      body = await answer.text();
    } catch (error) {
      body = (error as Error).message;
    }
    const verified = status >= 200 && status < 300 && body === challenge;
    this.verifications.push({ mode, topic, callback, challenge, status, body, verified });
    if (!verified) return;
    const key = `${topic}\n${callback}`;
    if (mode === 'unsubscribe') this.leases.delete(key);
    else this.leases.set(key, { topic, callback, ...(form['hub.secret'] ? { secret: form['hub.secret'] } : {}), leaseSeconds, expiresAt: Date.now() + leaseSeconds * 1000 });
  }
}

function broadcastOf(video: FakeYouTubeVideo): string {
  if (!video.live) return 'none';
  if (video.live.actualEndTime) return 'none';
  return video.live.actualStartTime ? 'live' : 'upcoming';
}

function apiError(code: number, message: string, domain: string, reason: string, ...more: string[]): unknown {
  return { error: { code, message, errors: [{ message, domain, reason }, ...more.map((extra) => ({ message, domain: 'global', reason: extra }))] } };
}
