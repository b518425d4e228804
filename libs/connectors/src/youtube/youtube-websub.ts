import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  verifyHubSignatureSha1,
  type EventRetraction,
  type HandshakeReply,
  type IncomingWebhook,
  type NormalizeContext,
  type NormalizedEvent,
  type SourceSubscriptions,
  type VerifiedWebhook,
  type WebhookDelivery,
  type WebhookScheme,
} from '@activity/connector-sdk';
import { DomainError, parseInstant } from '@activity/domain';
import { NotAnAtomFeedError, parseYouTubeNotification, type YouTubeFeedEntry } from './youtube-atom';
import { channelOfTopic } from './youtube-channel-input';
import { YouTubeQuotaExhaustedError, type YouTubeDataApiClient } from './youtube-data-api';
import type { YouTubeLiveWatch } from './youtube-live-watch';
import { allVideoSourceEventIds, eventsOfEntry, eventsOfVideo, isSettled } from './youtube-video-events';

/** What the gateway keeps of a notification: its entries and tombstones, dates as ISO strings. */
interface StoredNotification {
  readonly entries: Array<Omit<YouTubeFeedEntry, 'published' | 'updated'> & { published?: string; updated?: string }>;
  readonly tombstones: Array<{ videoId: string; deletedAt?: string }>;
}

/** The parts of the connector a notification needs once acknowledged: the Data API to confirm entries, and the watch list. */
export interface YouTubeConfirmation {
  readonly api: YouTubeDataApiClient;
  readonly watch: YouTubeLiveWatch;
}

/**
 * YouTube's WebSub push on `/v1/webhooks/youtube/{sourceId}` (PLATFORMS.md §4, W3C WebSub):
 * - the hub's intent verification `GET` is answered with `hub.challenge` as text only for a topic
 *   of ours: subscribe when we asked for it (it is confirmed, with its lease), unsubscribe when
 *   we no longer want it; anything else 404. `denied` marks ours failed, shown on its link;
 * - a notification whose `X-Hub-Signature` (HMAC-SHA1 with the source's secret) does not match
 *   is ignored and answered 202, as the spec allows (the hub would only retry it);
 * - notifications are Atom, read with a real XML parser; the delivery id is the body's hash, so a
 *   hub's retry is skipped; entries are confirmed with `videos.list` in connector-workers (upload,
 *   stream scheduled, started or ended; a renamed video updates its events), tombstones withdraw
 *   the video's events.
 */
export class YouTubeWebSub implements WebhookScheme {
  constructor(
    private readonly logger: Logger,
    private readonly confirmation?: YouTubeConfirmation,
  ) {}

  async handshake(
    request: IncomingWebhook,
    secrets: readonly string[],
    now = new Date(),
    _settings?: unknown,
    subscriptions?: SourceSubscriptions,
  ): Promise<HandshakeReply | null> {
    if (request.method === 'POST') {
      try {
        verifyHubSignatureSha1(request.headers['x-hub-signature'], secrets, request.body);
        return null;
      } catch {
        this.logger.warn({ signed: Boolean(request.headers['x-hub-signature']) }, 'a WebSub notification with a bad or missing signature was ignored');
        return { status: 202 };
      }
    }
    const mode = request.query['hub.mode'];
    if (!mode) return null;
    const topic = request.query['hub.topic'] ?? '';
    if (!channelOfTopic(topic)) return { status: 404, contentType: 'text/plain', body: 'not a topic of ours' };
    const ours = subscriptions ? await subscriptions.find(topic) : null;
    if (mode === 'denied') {
      if (!ours || !subscriptions) return { status: 404, contentType: 'text/plain', body: 'not a topic of ours' };
      await subscriptions.deny(topic, (request.query['hub.reason'] ?? 'denied by the hub').slice(0, 200));
      return { status: 200, contentType: 'text/plain', body: '' };
    }
    const challenge = request.query['hub.challenge'];
    if (mode !== 'subscribe' && mode !== 'unsubscribe') throw invalid('hub.mode', 'mode', 'hub.mode is subscribe, unsubscribe or denied');
    if (!challenge || challenge.length > 512) throw invalid('hub.challenge', 'challenge', 'an intent verification carries hub.challenge');
    const wanted = ours !== null && (ours.status === 'pending' || ours.status === 'enabled');
    if (mode === 'subscribe') {
      if (!wanted || !subscriptions) return { status: 404, contentType: 'text/plain', body: 'not a topic of ours' };
      const lease = Number(request.query['hub.lease_seconds']);
      await subscriptions.confirm(topic, Number.isInteger(lease) && lease > 0 ? new Date(now.getTime() + lease * 1000) : undefined);
      return { status: 200, contentType: 'text/plain', body: challenge };
    }
    // Unsubscribing is confirmed only for a topic we no longer want (the link is gone or going).
    if (wanted) return { status: 404, contentType: 'text/plain', body: 'still subscribed' };
    return { status: 200, contentType: 'text/plain', body: challenge };
  }

  verify(request: IncomingWebhook, secrets: readonly string[]): VerifiedWebhook {
    verifyHubSignatureSha1(request.headers['x-hub-signature'], secrets, request.body);
    let notification;
    try {
      notification = parseYouTubeNotification(request.body.toString('utf8'));
    } catch (error) {
      if (error instanceof NotAnAtomFeedError) throw invalid('body', 'atom', 'a WebSub notification is an Atom <feed>');
      throw error;
    }
    const body: StoredNotification = {
      entries: notification.entries.map(({ published, updated, ...entry }) => ({
        ...entry,
        ...(published ? { published: published.toISOString() } : {}),
        ...(updated ? { updated: updated.toISOString() } : {}),
      })),
      tombstones: notification.tombstones.map(({ videoId, deletedAt }) => ({ videoId, ...(deletedAt ? { deletedAt: deletedAt.toISOString() } : {}) })),
    };
    const first = body.entries[0]?.channelId ?? (body.tombstones[0] ? `video:${body.tombstones[0].videoId}` : 'empty');
    // The hub retries a notification with the same body: its hash dedupes it.
    return { deliveryId: createHash('sha256').update(request.body).digest('hex').slice(0, 40), body: body as unknown as Record<string, unknown>, accountKey: first };
  }

  async normalize(delivery: WebhookDelivery, context?: NormalizeContext): Promise<NormalizedEvent[]> {
    const entries = entriesOf(delivery);
    if (entries.length === 0) return [];
    // The gateway's check before acknowledging (no context), or no Data API key: what the entry alone says.
    if (!context || !this.confirmation) return entries.flatMap((entry) => eventsOfEntry(entry));
    const { api, watch } = this.confirmation;
    let videos;
    try {
      videos = await api.videos(entries.map((entry) => entry.videoId));
    } catch (error) {
      if (!(error instanceof YouTubeQuotaExhaustedError)) throw error;
      // Confirmed by the link's first sync after the reset.
      for (const entry of entries) await watch.add(entry.channelId, [entry.videoId]);
      this.logger.warn({ videos: entries.length, resetAt: error.resetAt.toISOString() }, 'YouTube quota used up: notified videos are checked after the reset');
      return [];
    }
    const events: NormalizedEvent[] = [];
    for (const video of videos) {
      events.push(...eventsOfVideo(video));
      if (!isSettled(video)) await watch.add(video.snippet.channelId, [video.id]);
    }
    return events;
  }

  retractions(delivery: WebhookDelivery): EventRetraction[] {
    const tombstones = (delivery.body as unknown as StoredNotification).tombstones ?? [];
    return tombstones.map((tombstone) => ({ sourceEventIds: allVideoSourceEventIds(tombstone.videoId), reason: `video ${tombstone.videoId} deleted on YouTube` }));
  }
}

function entriesOf(delivery: WebhookDelivery): YouTubeFeedEntry[] {
  const stored = (delivery.body as unknown as StoredNotification).entries ?? [];
  return stored.map(({ published, updated, ...entry }) => {
    const publishedAt = parseInstant(published ?? '');
    const updatedAt = parseInstant(updated ?? '');
    return { ...entry, ...(publishedAt ? { published: publishedAt } : {}), ...(updatedAt ? { updated: updatedAt } : {}) };
  });
}

function invalid(field: string, key: string, message: string): DomainError {
  return new DomainError('validation_failed', {}, [{ field, rule: 'youtubeWebSub', message, messageKey: `validation.youtube.${key}` }]);
}
