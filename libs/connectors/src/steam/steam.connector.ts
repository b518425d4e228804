import path from 'node:path';
import { Type } from '@sinclair/typebox';
import {
  defineConnector,
  defineEventType,
  type ConnectorContext,
  type ConnectorRuntime,
  type LinkAccountInput,
  type LinkedIdentity,
  type OpenIdLinking,
} from '@activity/connector-sdk';
import { invalid, parseSteamAccount } from './steam-account-input';
import { SteamOpenId } from './steam-openid';
import { SteamSync } from './steam-sync';
import { RetryableError, SteamWebApiClient } from './steam-web-api.client';
import { SteamSettings } from './steam.settings';

const appId = Type.Integer({ minimum: 1, description: 'Steam app id' });

export const STEAM_EVENT_TYPES = [
  defineEventType({
    type: 'steam.game.added',
    description: 'A game appeared in the player’s library',
    payloadSchema: Type.Object({ appid: appId, playtimeForever: Type.Integer({ minimum: 0, description: 'minutes' }) }),
  }),
  defineEventType({
    type: 'steam.game.played',
    description: 'The player played a game (minutes since the last sync)',
    payloadSchema: Type.Object({ appid: appId, minutes: Type.Integer({ minimum: 1 }), playtimeForever: Type.Integer({ minimum: 0 }) }),
    // The game is the object (there is no target): one group per game and day.
    grouping: { fields: ['actor', 'object'], windowSeconds: 86_400 },
  }),
  defineEventType({
    type: 'steam.achievement.unlocked',
    description: 'The player unlocked an achievement (the target is the game)',
    payloadSchema: Type.Object({ appid: appId, apiname: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()) }),
  }),
  defineEventType({
    type: 'steam.profile.updated',
    description: 'The player changed their persona name or avatar',
    payloadSchema: Type.Object({
      previous: Type.Object({ personaname: Type.String(), avatarhash: Type.Optional(Type.String()) }),
      current: Type.Object({ personaname: Type.String(), avatarhash: Type.Optional(Type.String()) }),
    }),
  }),
];

/** Players link Steam by signing in through Steam; an admin may also link a typed SteamID64, vanity name or profile URL. */
export class SteamLinking implements OpenIdLinking {
  readonly kind = 'openid' as const;

  constructor(
    private readonly client: SteamWebApiClient,
    private readonly openId: SteamOpenId,
  ) {}

  async resolve(input: LinkAccountInput): Promise<LinkedIdentity> {
    const reference = parseSteamAccount(input.account);
    const steamId = reference.kind === 'steamid' ? reference.steamId : await this.client.resolveVanityUrl(reference.vanity);
    if (!steamId)
      throw invalid('unknownVanity', `no Steam profile has the custom URL "${reference.kind === 'vanity' ? reference.vanity : ''}"`, {
        vanity: reference.kind === 'vanity' ? reference.vanity : '',
      });
    const [player] = await this.client.getPlayerSummaries([steamId]);
    if (!player) throw invalid('unknownProfile', `no Steam profile ${steamId}`, { steamId });
    return { externalId: steamId, displayName: player.personaname };
  }

  signInUrl(returnTo: string): string {
    return this.openId.signInUrl(returnTo);
  }

  verify(query: Readonly<Record<string, string | undefined>>, returnTo: string): Promise<string> {
    return this.openId.verify(query, returnTo);
  }
}

/**
 * Steam, pulled through the Web API (profile, library, recent play, achievements) with a rate
 * limit shared by every worker, retries and a circuit breaker; linked through Steam's OpenID.
 */
export const steamConnector = defineConnector({
  name: 'steam',
  displayName: 'Steam',
  capabilities: { webhook: false, sync: true, requiresAuth: false },
  eventTypes: STEAM_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  settings: SteamSettings,
  create({ settings, logger, rateGate, breaker }: ConnectorContext<SteamSettings>): ConnectorRuntime {
    if (!settings.STEAM_API_KEY) {
      logger.warn('STEAM_API_KEY is not set: Steam accounts cannot be linked or synced');
      return {};
    }
    const client = new SteamWebApiClient(
      {
        baseUrl: settings.STEAM_API_BASE_URL,
        apiKey: settings.STEAM_API_KEY,
        timeoutMs: settings.STEAM_TIMEOUT_MS,
        maxAttempts: settings.STEAM_MAX_ATTEMPTS,
        backoffBaseMs: 500,
        backoffMaxMs: 30_000,
      },
      rateGate('steam', settings.STEAM_RATE_LIMIT_PER_SECOND, settings.STEAM_RATE_LIMIT_BURST),
      breaker({ dependency: 'Steam', failureThreshold: 5, openMs: 30_000, isFailure: (error) => error instanceof RetryableError }),
      logger.child({ upstream: 'steam' }),
    );
    return {
      sync: new SteamSync(client, { backfillDays: settings.STEAM_BACKFILL_DAYS }),
      linking: new SteamLinking(client, new SteamOpenId(settings.STEAM_OPENID_URL, settings.STEAM_TIMEOUT_MS)),
      rateLimit: {
        requestsPerSecond: settings.STEAM_RATE_LIMIT_PER_SECOND,
        burst: settings.STEAM_RATE_LIMIT_BURST,
        note: 'Steam allows 100,000 calls per key per day; the bucket is shared by all workers',
      },
    };
  },
});
