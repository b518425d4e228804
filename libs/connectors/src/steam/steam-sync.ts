import { createHash } from 'node:crypto';
import type { NormalizedEvent, SyncLink, SyncMethod, SyncResult } from '@activity/connector-sdk';
import { SteamNoStatsError, SteamPrivateProfileError } from './steam-errors';
import { SteamPlayerSummaries } from './steam-player-summaries';
import type { SteamWebApiClient } from './steam-web-api.client';

/** What a sync remembers about a Steam account, so the next one only reports what changed. */
export interface SteamSyncState {
  initialized?: boolean;
  profile?: { personaname: string; avatarhash?: string };
  /** appid -> playtime_forever (minutes) */
  playtime?: Record<string, number>;
  /** appid -> unlocked achievement api names */
  achievements?: Record<string, string[]>;
  /** apps that answered "no stats": not asked again */
  noStats?: number[];
}

export interface SteamSyncOptions {
  /** On the first sync, achievements unlocked this many days back still become events (older ones are only remembered). */
  readonly backfillDays: number;
}

/**
 * Steam, pulled through the Web API. A sync reads the profile, owned games and recently played
 * games, and the achievements of recently played games; it emits only differences from the stored
 * state, with ids derived from the facts (so a repeated sync inserts nothing new).
 */
export class SteamSync implements SyncMethod {
  /** Profiles of concurrent syncs share GetPlayerSummaries calls (up to 100 SteamIDs each). */
  private readonly summaries: SteamPlayerSummaries;

  constructor(
    private readonly client: SteamWebApiClient,
    private readonly options: SteamSyncOptions,
  ) {
    this.summaries = new SteamPlayerSummaries((steamIds) => client.getPlayerSummaries(steamIds));
  }

  async run(link: SyncLink, stored: Record<string, unknown>): Promise<SyncResult> {
    const state = stored as SteamSyncState;
    const steamId = link.externalId;
    let apiCalls = 0;
    const call = <T>(work: Promise<T>) => {
      apiCalls += 1;
      return work;
    };
    const privateResult = (): SyncResult => ({ events: [], state: stored, outcome: 'private', apiCalls });

    const player = await call(this.summaries.get(steamId));
    if (!player || player.communityvisibilitystate !== 3) return privateResult();
    const first = !state.initialized;
    const now = new Date();
    const actor = { type: 'Person', id: `steam:user:${steamId}`, name: player.personaname };
    const events: NormalizedEvent[] = [];
    const event = (type: string, sourceEventId: string, occurredAt: Date, rest: Partial<NormalizedEvent>) =>
      events.push({ source: 'steam', sourceEventId, type, externalAccountId: steamId, actor, occurredAt, payload: {}, ...rest });

    if (!first && state.profile && (state.profile.personaname !== player.personaname || state.profile.avatarhash !== player.avatarhash)) {
      const fingerprint = createHash('sha1')
        .update(`${player.personaname}\n${player.avatarhash ?? ''}`)
        .digest('hex')
        .slice(0, 16);
      event('steam.profile.updated', `profile:${steamId}:${fingerprint}`, now, {
        payload: { previous: state.profile, current: { personaname: player.personaname, avatarhash: player.avatarhash } },
      });
    }

    const owned = await call(this.client.getOwnedGames(steamId));
    if (owned === null) return privateResult();
    const playtime: Record<string, number> = { ...(state.playtime ?? {}) };
    const lastPlayed = new Map<number, number>();
    for (const game of owned) {
      const key = String(game.appid);
      if (!first && !(key in (state.playtime ?? {}))) {
        event('steam.game.added', `added:${steamId}:${game.appid}`, now, {
          object: { type: 'Game', id: `steam:app:${game.appid}`, name: game.name ?? `App ${game.appid}` },
          payload: { appid: game.appid, playtimeForever: game.playtime_forever },
        });
      }
      playtime[key] = Math.max(playtime[key] ?? 0, game.playtime_forever);
      if (game.rtime_last_played) lastPlayed.set(game.appid, game.rtime_last_played * 1000);
    }

    const achievements: Record<string, string[]> = { ...(state.achievements ?? {}) };
    const noStats = new Set(state.noStats ?? []);
    const backfillFrom = now.getTime() - this.options.backfillDays * 24 * 3600_000;
    for (const game of await call(this.client.getRecentlyPlayedGames(steamId))) {
      const key = String(game.appid);
      const before = state.playtime?.[key];
      const minutes = first || before === undefined ? game.playtime_2weeks : game.playtime_forever - before;
      const gameObject = { type: 'Game', id: `steam:app:${game.appid}`, name: game.name ?? `App ${game.appid}` };
      if (minutes > 0) {
        event('steam.game.played', `played:${steamId}:${game.appid}:${game.playtime_forever}`, new Date(lastPlayed.get(game.appid) ?? now.getTime()), {
          object: gameObject,
          payload: { appid: game.appid, minutes, playtimeForever: game.playtime_forever },
        });
      }
      playtime[key] = Math.max(playtime[key] ?? 0, game.playtime_forever);
      if (noStats.has(game.appid)) continue;

      let result: Awaited<ReturnType<SteamWebApiClient['getPlayerAchievements']>>;
      try {
        result = await call(this.client.getPlayerAchievements(steamId, game.appid));
      } catch (error) {
        if (error instanceof SteamNoStatsError) {
          noStats.add(game.appid);
          continue;
        }
        if (error instanceof SteamPrivateProfileError) return privateResult();
        throw error;
      }
      const known = new Set(achievements[key] ?? []);
      const unlocked = result.achievements.filter((a) => a.achieved === 1);
      const fresh = unlocked.filter((a) => !known.has(a.apiname) && (!first || a.unlocktime * 1000 >= backfillFrom));
      const schema = fresh.some((a) => !a.name) ? await call(this.client.getAchievementSchema(game.appid)) : undefined;
      for (const achievement of fresh) {
        const name = achievement.name ?? schema?.get(achievement.apiname)?.displayName ?? achievement.apiname;
        event('steam.achievement.unlocked', `ach:${steamId}:${game.appid}:${achievement.apiname}`, new Date(achievement.unlocktime * 1000), {
          object: { type: 'Achievement', id: `steam:achievement:${game.appid}:${achievement.apiname}`, name },
          target: { ...gameObject, name: result.gameName ?? gameObject.name },
          payload: { appid: game.appid, apiname: achievement.apiname, ...(achievement.description ? { description: achievement.description } : {}) },
        });
      }
      achievements[key] = unlocked.map((a) => a.apiname);
    }

    const next: SteamSyncState = {
      initialized: true,
      profile: { personaname: player.personaname, ...(player.avatarhash ? { avatarhash: player.avatarhash } : {}) },
      playtime,
      achievements,
      noStats: [...noStats],
    };
    return { events, state: next as Record<string, unknown>, outcome: 'ok', apiCalls };
  }
}
