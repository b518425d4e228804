import path from 'node:path';
import { Type } from '@sinclair/typebox';
import {
  defineConnector,
  defineEventType,
  RetryableError,
  type ConnectorContext,
  type ConnectorRuntime,
  type LinkAccountInput,
  type LinkedIdentity,
  type LinkThroughProvenAccount,
  type TypedIdLinking,
} from '@activity/connector-sdk';
import { TruckersMpApiClient } from './truckersmp-api.client';
import { invalidTruckersMpAccount, parseTruckersMpAccount } from './truckersmp-account-input';
import { TruckersMpSync } from './truckersmp-sync';
import { TruckersMpSettings } from './truckersmp.settings';

const vtcPayload = {
  vtcId: Type.Integer({ minimum: 1 }),
  name: Type.String(),
  tag: Type.String(),
};

export const TRUCKERSMP_EVENT_TYPES = [
  defineEventType({
    type: 'truckersmp.achievement.earned',
    description: 'The player earned a TruckersMP achievement (at its achieved_at time)',
    payloadSchema: Type.Object({ achievementId: Type.Integer({ minimum: 1 }), title: Type.String(), description: Type.Optional(Type.String()) }),
  }),
  defineEventType({
    type: 'truckersmp.vtc.joined',
    description: 'The player joined a virtual trucking company (VTC)',
    payloadSchema: Type.Object({ ...vtcPayload, membersCount: Type.Optional(Type.Integer({ minimum: 0 })), verified: Type.Optional(Type.Boolean()) }),
  }),
  defineEventType({
    type: 'truckersmp.vtc.left',
    description: 'The player left their virtual trucking company (VTC)',
    payloadSchema: Type.Object(vtcPayload),
  }),
  defineEventType({
    type: 'truckersmp.event.attending',
    description: 'A convoy the player attends, through their VTC or as its organiser',
    payloadSchema: Type.Object({
      eventId: Type.Integer({ minimum: 1 }),
      name: Type.String(),
      through: Type.Union([Type.Literal('vtc'), Type.Literal('player')]),
      departure: Type.String(),
      arrival: Type.String(),
      startAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      server: Type.Optional(Type.String()),
      game: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
    }),
  }),
  defineEventType({
    type: 'truckersmp.player.banned',
    description: 'The player was banned (the reason only when their bans are public)',
    payloadSchema: Type.Object({
      until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: permanent or not published' }),
      hidden: Type.Boolean({ description: 'the player hides their bans: no reason is known' }),
      reason: Type.Optional(Type.String()),
    }),
  }),
  defineEventType({
    type: 'truckersmp.player.unbanned',
    description: 'The player’s ban ended',
    payloadSchema: Type.Object({}),
  }),
];

/**
 * Tenant admins link a typed TruckersMP id, profile URL or SteamID64; players link through their
 * own Steam link (TruckersMP accounts are bound to a Steam account, which they proved by signing in).
 */
export class TruckersMpLinking implements TypedIdLinking {
  readonly kind = 'typed-id' as const;
  readonly through: LinkThroughProvenAccount;

  constructor(private readonly client: TruckersMpApiClient) {
    this.through = {
      providers: ['steam'],
      resolve: async (_provider: string, steamId: string) => {
        const player = await this.client.findPlayer(steamId);
        if (!player) throw invalidTruckersMpAccount('noPlayerForSteam', `no TruckersMP account is bound to the Steam account ${steamId}`, { steamId });
        return { externalId: String(player.id), displayName: player.name };
      },
    };
  }

  async resolve(input: LinkAccountInput): Promise<LinkedIdentity> {
    const id = parseTruckersMpAccount(input.account);
    const player = await this.client.findPlayer(id);
    if (!player) throw invalidTruckersMpAccount('unknownPlayer', `TruckersMP knows no player ${id}`, { id });
    return { externalId: String(player.id), displayName: player.name };
  }
}

/** TruckersMP, pulled through its public API with a conservative rate limit shared by every worker. */
export const truckersMpConnector = defineConnector({
  name: 'truckersmp',
  displayName: 'TruckersMP',
  capabilities: { webhook: false, sync: true, requiresAuth: false },
  eventTypes: TRUCKERSMP_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  settings: TruckersMpSettings,
  create({ settings, logger, rateGate, breaker }: ConnectorContext<TruckersMpSettings>): ConnectorRuntime {
    const client = new TruckersMpApiClient(
      {
        baseUrl: settings.TRUCKERSMP_API_BASE_URL,
        userAgent: settings.TRUCKERSMP_USER_AGENT,
        timeoutMs: settings.TRUCKERSMP_TIMEOUT_MS,
        maxAttempts: settings.TRUCKERSMP_MAX_ATTEMPTS,
        backoffBaseMs: 1_000,
        backoffMaxMs: 60_000,
      },
      rateGate('truckersmp', settings.TRUCKERSMP_RATE_LIMIT_PER_SECOND, settings.TRUCKERSMP_RATE_LIMIT_BURST),
      breaker({ dependency: 'TruckersMP', failureThreshold: 5, openMs: 60_000, isFailure: (error) => error instanceof RetryableError }),
      logger.child({ upstream: 'truckersmp' }),
    );
    return {
      sync: new TruckersMpSync(client, { backfillDays: settings.TRUCKERSMP_BACKFILL_DAYS }),
      linking: new TruckersMpLinking(client),
      rateLimit: {
        requestsPerSecond: settings.TRUCKERSMP_RATE_LIMIT_PER_SECOND,
        burst: settings.TRUCKERSMP_RATE_LIMIT_BURST,
        note: 'TruckersMP publishes no limit and asks heavy users to get in touch; the bucket is shared by all workers',
      },
    };
  },
});
