import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineConnector, defineEventType, OAuth2Client, type ConnectorContext, type ConnectorRuntime } from '@activity/connector-sdk';
import { HelixClient } from './helix-client';
import { TwitchAppToken } from './twitch-app-token';
import { TwitchClipsSync } from './twitch-clips-sync';
import { TwitchEventSubLifecycle } from './twitch-eventsub-lifecycle';
import { TwitchEventSubWebhooks } from './twitch-eventsub-webhooks';
import { TwitchOAuthLinking, TwitchTypedLinking } from './twitch-linking';
import { TwitchSettings } from './twitch.settings';

export const TWITCH_EVENT_TYPES = [
  defineEventType({
    type: 'twitch.stream.started',
    description: 'A linked broadcaster went live (EventSub stream.online); the title and category are the channel’s latest',
    payloadSchema: Type.Object({
      titled: Type.Union([Type.Literal('yes'), Type.Literal('no')], { description: 'whether the channel’s title was known' }),
      streamId: Type.String(),
      streamType: Type.String({ description: 'live, playlist, watch_party, premiere or rerun' }),
      title: Type.Optional(Type.String()),
      category: Type.Optional(Type.String()),
    }),
  }),
  defineEventType({
    type: 'twitch.stream.ended',
    description: 'A linked broadcaster’s stream ended (EventSub stream.offline), with its length when its start was seen',
    payloadSchema: Type.Object({
      length: Type.Union([Type.Literal('known'), Type.Literal('unknown')]),
      startedAt: Type.Optional(Type.String({ format: 'date-time' })),
      durationSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
      durationMinutes: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
  }),
  defineEventType({
    type: 'twitch.channel.updated',
    description: 'A linked broadcaster changed their channel’s title, category or language (EventSub channel.update)',
    payloadSchema: Type.Object({ title: Type.String(), category: Type.String(), categoryId: Type.String(), language: Type.String() }),
  }),
  defineEventType({
    type: 'twitch.clip.created',
    description: 'Someone clipped a linked broadcaster’s stream (Helix GET /clips, on each sync)',
    payloadSchema: Type.Object({
      clipId: Type.String(),
      url: Type.String(),
      title: Type.String(),
      creator: Type.String(),
      views: Type.Integer({ minimum: 0 }),
      durationSeconds: Type.Number({ minimum: 0 }),
      thumbnailUrl: Type.String(),
    }),
  }),
];

/**
 * Twitch: EventSub webhooks (stream online/offline, channel updates) with subscriptions kept per
 * linked broadcaster, and clips pulled from Helix on each sync; Helix's rate limit is shared by
 * every replica. Linked by OAuth2 (players) or a typed login (tenant admins).
 */
export const twitchConnector = defineConnector({
  name: 'twitch',
  displayName: 'Twitch',
  capabilities: { webhook: true, sync: true, requiresAuth: true },
  eventTypes: TWITCH_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  settings: TwitchSettings,
  create({ settings, logger, rateGate, sharedState }: ConnectorContext<TwitchSettings>): ConnectorRuntime {
    const webhook = new TwitchEventSubWebhooks();
    if (!settings.TWITCH_CLIENT_ID || !settings.TWITCH_CLIENT_SECRET) {
      logger.warn('TWITCH_CLIENT_ID or TWITCH_CLIENT_SECRET is not set: Twitch accounts cannot be linked, synced or subscribed');
      return { webhook };
    }
    const helix = new HelixClient(
      { baseUrl: settings.TWITCH_API_BASE_URL, clientId: settings.TWITCH_CLIENT_ID, timeoutMs: settings.TWITCH_TIMEOUT_MS, maxWaitMs: 60_000 },
      new TwitchAppToken({
        authBaseUrl: settings.TWITCH_AUTH_BASE_URL,
        clientId: settings.TWITCH_CLIENT_ID,
        clientSecret: settings.TWITCH_CLIENT_SECRET,
        timeoutMs: settings.TWITCH_TIMEOUT_MS,
      }),
      sharedState('helix'),
      rateGate('twitch', settings.TWITCH_RATE_LIMIT_POINTS_PER_MINUTE / 60, Math.max(1, Math.floor(settings.TWITCH_RATE_LIMIT_POINTS_PER_MINUTE / 10))),
      logger.child({ upstream: 'twitch' }),
    );
    const authBase = settings.TWITCH_AUTH_BASE_URL.replace(/\/$/, '');
    const linking = settings.TWITCH_REDIRECT_URI
      ? new TwitchOAuthLinking(
          new OAuth2Client({
            authorizeUrl: `${authBase}/authorize`,
            tokenUrl: `${authBase}/token`,
            revokeUrl: `${authBase}/revoke`,
            clientId: settings.TWITCH_CLIENT_ID,
            clientSecret: settings.TWITCH_CLIENT_SECRET,
            redirectUri: settings.TWITCH_REDIRECT_URI,
            scopes: [],
            timeoutMs: settings.TWITCH_TIMEOUT_MS,
            clientAuthentication: 'body',
          }),
          helix,
        )
      : new TwitchTypedLinking(helix);
    return {
      webhook,
      linking,
      sync: new TwitchClipsSync(helix, { backfillDays: settings.TWITCH_CLIPS_BACKFILL_DAYS }),
      subscriptions: new TwitchEventSubLifecycle(helix),
      rateLimit: {
        requestsPerSecond: settings.TWITCH_RATE_LIMIT_POINTS_PER_MINUTE / 60,
        burst: Math.max(1, Math.floor(settings.TWITCH_RATE_LIMIT_POINTS_PER_MINUTE / 10)),
        note: 'Helix allows 800 points a minute per client id with an app token; Ratelimit-* headers are shared by all workers',
      },
    };
  },
});
