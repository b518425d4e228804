import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineConnector, defineEventType, RetryableError, type ConnectorContext, type ConnectorRuntime } from '@activity/connector-sdk';
import { UpstreamHttp } from '../upstream/upstream-http';
import { YouTubeDataApiClient } from './youtube-data-api';
import { YouTubeChannelLinking } from './youtube-linking';
import { YouTubeLiveSync } from './youtube-live-sync';
import { YouTubeLiveWatch } from './youtube-live-watch';
import { YouTubeQuota } from './youtube-quota';
import { YouTubeWebSub } from './youtube-websub';
import { YouTubeWebSubLifecycle } from './youtube-websub-lifecycle';
import { YouTubeSettings } from './youtube.settings';

const video = {
  videoId: Type.String(),
  title: Type.String(),
  url: Type.String(),
};

export const YOUTUBE_EVENT_TYPES = [
  defineEventType({
    type: 'youtube.video.published',
    description: 'A linked channel published a video (WebSub, confirmed with videos.list); a renamed video updates the event',
    payloadSchema: Type.Object(video),
  }),
  defineEventType({
    type: 'youtube.stream.scheduled',
    description: 'A linked channel scheduled a live stream or premiere (its start time in the payload)',
    payloadSchema: Type.Object({ ...video, scheduledStartTime: Type.String({ format: 'date-time' }) }),
  }),
  defineEventType({
    type: 'youtube.stream.started',
    description: 'A linked channel went live (videos.list liveStreamingDetails.actualStartTime)',
    payloadSchema: Type.Object({ ...video, startedAt: Type.String({ format: 'date-time' }) }),
  }),
  defineEventType({
    type: 'youtube.stream.ended',
    description: 'A linked channel’s live stream ended, with its length',
    payloadSchema: Type.Object({
      ...video,
      startedAt: Type.String({ format: 'date-time' }),
      durationSeconds: Type.Integer({ minimum: 0 }),
      durationMinutes: Type.Integer({ minimum: 0 }),
    }),
  }),
];

/**
 * YouTube Gaming: WebSub push of each linked channel's uploads (leases kept per link), every
 * entry confirmed with the Data API (uploads, scheduled, started and ended streams), live streams
 * followed by each sync, and the Data API's daily quota counted per project key across replicas.
 * Linked by channel id, handle or URL (tenant admins), or through Discord's verified connections.
 */
export const youTubeConnector = defineConnector({
  name: 'youtube',
  displayName: 'YouTube Gaming',
  capabilities: { webhook: true, sync: true, requiresAuth: false },
  eventTypes: YOUTUBE_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  settings: YouTubeSettings,
  create({ settings, logger, rateGate, breaker, sharedState }: ConnectorContext<YouTubeSettings>): ConnectorRuntime {
    const keys = (settings.YOUTUBE_API_KEYS ?? '').split(',').filter(Boolean);
    const http = (upstream: string, dependency: string) =>
      new UpstreamHttp(
        upstream,
        { timeoutMs: settings.YOUTUBE_TIMEOUT_MS, maxAttempts: 3, backoffBaseMs: 500, backoffMaxMs: 10_000 },
        rateGate(upstream, 10, 20),
        breaker({ dependency, failureThreshold: 5, openMs: 60_000, isFailure: (error) => error instanceof RetryableError }),
        logger.child({ upstream }),
      );
    const hub = new YouTubeWebSubLifecycle(http('youtube-hub', 'the YouTube WebSub hub'), {
      hubUrl: settings.YOUTUBE_HUB_URL,
      leaseSeconds: settings.YOUTUBE_LEASE_SECONDS,
      renewBeforeSeconds: settings.YOUTUBE_RENEW_BEFORE_SECONDS,
    });
    if (keys.length === 0) {
      logger.warn('YOUTUBE_API_KEYS is not set: YouTube channels cannot be linked or synced, and notifications become uploads from the feed entry alone');
      return { webhook: new YouTubeWebSub(logger) };
    }
    const quota = new YouTubeQuota(sharedState('quota'), {
      unitsPerDay: settings.YOUTUBE_QUOTA_UNITS_PER_DAY,
      searchPricing: settings.YOUTUBE_SEARCH_PRICING,
      searchCallsPerDay: settings.YOUTUBE_SEARCH_CALLS_PER_DAY,
    });
    const api = new YouTubeDataApiClient({ baseUrl: settings.YOUTUBE_API_BASE_URL, keys }, http('youtube', 'the YouTube Data API'), quota, logger.child({ upstream: 'youtube' }));
    const watch = new YouTubeLiveWatch(sharedState('live'));
    return {
      webhook: new YouTubeWebSub(logger, { api, watch }),
      linking: new YouTubeChannelLinking(api),
      sync: new YouTubeLiveSync(api, watch),
      subscriptions: hub,
      rateLimit: { requestsPerSecond: 10, burst: 20, note: 'the Data API limits by daily quota per project key (counted across replicas), not by rate' },
    };
  },
});
