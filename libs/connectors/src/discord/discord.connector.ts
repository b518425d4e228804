import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineConnector, defineEventType, OAuth2Client, type ConnectorContext, type ConnectorRuntime } from '@activity/connector-sdk';
import { DiscordGateway } from './discord-gateway';
import { DiscordLinking } from './discord-linking';
import { DiscordRateLimits } from './discord-rate-limits';
import { DiscordRestClient } from './discord-rest-client';
import { DiscordWebhooks } from './discord-webhooks';
import { DiscordSettings } from './discord.settings';

const game = Type.String({ minLength: 1, description: 'The game’s name as Discord shows it' });
const applicationId = Type.Optional(Type.String({ pattern: '^\\d{1,20}$', description: 'The game’s Discord application id, when it has one' }));

export const DISCORD_EVENT_TYPES = [
  defineEventType({
    type: 'discord.game.started',
    description: 'A linked player started playing a game (a Playing presence that lasted past the debounce); occurredAt is when the game started',
    grouping: { fields: ['actor', 'object'], windowSeconds: 86_400 },
    payloadSchema: Type.Object({
      game,
      applicationId,
      details: Type.Optional(Type.String()),
      state: Type.Optional(Type.String()),
      guildId: Type.Optional(Type.String({ description: 'The guild the presence was seen through' })),
    }),
  }),
  defineEventType({
    type: 'discord.game.ended',
    description: 'A linked player stopped playing a game; occurredAt is when it stopped',
    grouping: { fields: ['actor', 'object'], windowSeconds: 86_400 },
    payloadSchema: Type.Object({
      game,
      applicationId,
      startedAt: Type.String({ format: 'date-time' }),
      durationSeconds: Type.Integer({ minimum: 0, description: 'The session’s length' }),
      durationMinutes: Type.Integer({ minimum: 0, description: 'The same in whole minutes (what the summary says)' }),
    }),
  }),
  defineEventType({
    type: 'discord.app.authorized',
    description: 'A player authorised our Discord application (its APPLICATION_AUTHORIZED webhook event)',
    payloadSchema: Type.Object({
      applicationId: Type.String(),
      scopes: Type.Array(Type.String()),
      integrationType: Type.Union([Type.Literal('user'), Type.Literal('guild')]),
    }),
  }),
];

/**
 * Discord: players link by OAuth2 (PKCE); game presence comes over the Gateway through a bot;
 * the application's webhook events (PING, authorised, deauthorised) arrive signed with Ed25519.
 * Every REST call keeps to Discord's rate limits, shared by all replicas.
 */
export const discordConnector = defineConnector({
  name: 'discord',
  displayName: 'Discord',
  capabilities: { webhook: true, sync: true, requiresAuth: true },
  eventTypes: DISCORD_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  settings: DiscordSettings,
  create({ settings, logger, rateGate, sharedState }: ConnectorContext<DiscordSettings>): ConnectorRuntime {
    const limits = new DiscordRateLimits(
      sharedState('ratelimit'),
      rateGate('discord:global', settings.DISCORD_GLOBAL_LIMIT_PER_SECOND, settings.DISCORD_GLOBAL_LIMIT_PER_SECOND),
      rateGate('discord', settings.DISCORD_RATE_LIMIT_PER_MINUTE / 60, Math.max(1, Math.min(10, Math.floor(settings.DISCORD_RATE_LIMIT_PER_MINUTE / 5)))),
      { maxWaitMs: 30_000, invalidRequestBrake: settings.DISCORD_INVALID_REQUEST_BRAKE },
    );
    const rest = new DiscordRestClient(
      { baseUrl: settings.DISCORD_API_BASE_URL, timeoutMs: settings.DISCORD_TIMEOUT_MS, maxAttempts: 3 },
      limits,
      logger.child({ upstream: 'discord' }),
    );
    const runtime: { -readonly [K in keyof ConnectorRuntime]: ConnectorRuntime[K] } = {
      webhook: new DiscordWebhooks(),
      rateLimit: {
        requestsPerSecond: settings.DISCORD_RATE_LIMIT_PER_MINUTE / 60,
        burst: Math.max(1, Math.min(10, Math.floor(settings.DISCORD_RATE_LIMIT_PER_MINUTE / 5))),
        note: `Discord's per-route buckets and global ${settings.DISCORD_GLOBAL_LIMIT_PER_SECOND}/s limit are kept across replicas; calls stop at ${settings.DISCORD_INVALID_REQUEST_BRAKE} invalid answers per 10 minutes`,
      },
    };
    if (settings.DISCORD_CLIENT_ID && settings.DISCORD_CLIENT_SECRET && settings.DISCORD_REDIRECT_URI) {
      const oauthBase = settings.DISCORD_OAUTH_BASE_URL.replace(/\/$/, '');
      runtime.linking = new DiscordLinking(
        new OAuth2Client({
          authorizeUrl: settings.DISCORD_AUTHORIZE_URL,
          tokenUrl: `${oauthBase}/oauth2/token`,
          revokeUrl: `${oauthBase}/oauth2/token/revoke`,
          clientId: settings.DISCORD_CLIENT_ID,
          clientSecret: settings.DISCORD_CLIENT_SECRET,
          redirectUri: settings.DISCORD_REDIRECT_URI,
          scopes: ['identify', 'connections'],
          timeoutMs: settings.DISCORD_TIMEOUT_MS,
        }),
        rest,
      );
    } else logger.warn('DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET or DISCORD_REDIRECT_URI is not set: Discord accounts cannot be linked');
    if (settings.DISCORD_BOT_TOKEN) {
      runtime.gateway = new DiscordGateway(
        { botToken: settings.DISCORD_BOT_TOKEN, url: settings.DISCORD_GATEWAY_URL, shardCount: settings.DISCORD_SHARD_COUNT, debounceMs: settings.DISCORD_PRESENCE_DEBOUNCE_MS },
        rest,
        logger.child({ component: 'discord-gateway' }),
      );
    } else logger.warn('DISCORD_BOT_TOKEN is not set: Discord game presence is not followed');
    return runtime;
  },
});
