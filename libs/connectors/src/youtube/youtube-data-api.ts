import type { Logger } from 'pino';
import { DomainError } from '@activity/domain';
import type { UpstreamHttp } from '../upstream/upstream-http';
import { nextQuotaReset } from './quota-day';
import { keyFingerprint, type YouTubeQuota } from './youtube-quota';

/** A channel as `channels.list?part=snippet` gives it. */
export interface YouTubeChannel {
  readonly id: string;
  readonly title: string;
  readonly handle?: string;
}

/** A video as `videos.list?part=snippet,liveStreamingDetails` gives it. */
export interface YouTubeVideo {
  readonly id: string;
  readonly snippet: {
    readonly channelId: string;
    readonly channelTitle?: string;
    readonly title: string;
    readonly publishedAt?: string;
    /** `none`, `upcoming` or `live`. */
    readonly liveBroadcastContent?: string;
  };
  readonly liveStreamingDetails?: {
    readonly scheduledStartTime?: string;
    readonly actualStartTime?: string;
    readonly actualEndTime?: string;
    readonly concurrentViewers?: string;
  };
}

/** Every project key's daily quota is used up: nothing is called until the reset at midnight Pacific. */
export class YouTubeQuotaExhaustedError extends DomainError {
  constructor(readonly resetAt: Date) {
    super('upstream_quota_exhausted', {
      platform: 'YouTube Data API',
      resetAt: resetAt.toISOString(),
      retryAfterSeconds: Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000)),
    });
    this.message = `the YouTube Data API quota is used up until ${resetAt.toISOString()} (midnight Pacific)`;
  }
}

type Method = 'search.list' | 'videos.list' | 'channels.list';

/**
 * The YouTube Data API v3 with an API key (public data only): channels by id or handle, videos
 * with their live-streaming details, and a channel's live stream by search. Each call is charged
 * to a project key's daily quota before it is made (YouTubeQuota); a key Google answers 403
 * `quotaExceeded` rests until midnight Pacific and the call moves to the next key; with every key
 * spent the call fails with YouTubeQuotaExhaustedError, without calling Google.
 */
export class YouTubeDataApiClient {
  constructor(
    private readonly options: { readonly baseUrl: string; readonly keys: readonly string[] },
    private readonly http: UpstreamHttp,
    private readonly quota: YouTubeQuota,
    private readonly logger: Logger,
  ) {}

  /** Channels by id (up to 50), in no particular order; unknown ids are left out. */
  async channelsById(ids: readonly string[]): Promise<YouTubeChannel[]> {
    if (ids.length === 0) return [];
    const body = await this.call('channels.list', 'channels', { part: 'snippet', id: ids.join(','), maxResults: '50' });
    return channelsOf(body);
  }

  /** The channel with a handle (`@name`), or null. */
  async channelByHandle(handle: string): Promise<YouTubeChannel | null> {
    const body = await this.call('channels.list', 'channels', { part: 'snippet', forHandle: handle });
    return channelsOf(body)[0] ?? null;
  }

  /** Videos by id with snippet and live-streaming details, 50 a call; deleted or private ones are left out. */
  async videos(ids: readonly string[]): Promise<YouTubeVideo[]> {
    const found: YouTubeVideo[] = [];
    for (let start = 0; start < ids.length; start += 50) {
      const body = await this.call('videos.list', 'videos', { part: 'snippet,liveStreamingDetails', id: ids.slice(start, start + 50).join(','), maxResults: '50' });
      for (const item of itemsOf(body)) {
        const video = item as Partial<YouTubeVideo>;
        if (typeof video.id === 'string' && video.snippet && typeof video.snippet.channelId === 'string') found.push(video as YouTubeVideo);
      }
    }
    return found;
  }

  /** The ids of a channel's videos live now (search.list: the costly call, 100 units or one of its own daily calls). */
  async liveVideoIds(channelId: string): Promise<string[]> {
    const body = await this.call('search.list', 'search', { part: 'snippet', channelId, eventType: 'live', type: 'video', maxResults: '5' });
    return itemsOf(body).flatMap((item) => {
      const videoId = (item as { id?: { videoId?: unknown } }).id?.videoId;
      return typeof videoId === 'string' ? [videoId] : [];
    });
  }

  private async call(method: Method, resource: string, query: Record<string, string>): Promise<unknown> {
    const cost = this.quota.costOf(method);
    for (const key of this.options.keys) {
      if (!(await this.quota.spend(key, cost))) continue;
      const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${resource}`);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      url.searchParams.set('key', key);
      const answer = await this.http.execute(method, url, { headers: { accept: 'application/json' } }, async (response) => {
        const body = (await response.json().catch(() => null)) as unknown;
        if (response.ok) return { body };
        const reason = errorReasonOf(body);
        if (response.status === 403 && (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded')) return { exhausted: true as const };
        // A refused key or request is no reason to retry: it fails the call with Google's words.
        throw new Error(`YouTube Data API ${method} answered ${response.status}${reason ? ` (${reason})` : ''}`);
      });
      if ('body' in answer) return answer.body;
      this.logger.warn({ key: keyFingerprint(key), method }, 'YouTube Data API quota exceeded for a project key: it rests until midnight Pacific');
      await this.quota.markExhausted(key);
    }
    throw new YouTubeQuotaExhaustedError(nextQuotaReset(new Date()));
  }
}

function itemsOf(body: unknown): unknown[] {
  const items = (body as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}

function channelsOf(body: unknown): YouTubeChannel[] {
  return itemsOf(body).flatMap((item) => {
    const channel = item as { id?: unknown; snippet?: { title?: unknown; customUrl?: unknown } };
    if (typeof channel.id !== 'string') return [];
    return [
      {
        id: channel.id,
        title: typeof channel.snippet?.title === 'string' ? channel.snippet.title : channel.id,
        ...(typeof channel.snippet?.customUrl === 'string' ? { handle: channel.snippet.customUrl } : {}),
      },
    ];
  });
}

function errorReasonOf(body: unknown): string | undefined {
  const errors = (body as { error?: { errors?: Array<{ reason?: unknown }> } } | null)?.error?.errors;
  const reason = Array.isArray(errors) ? errors[0]?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}
