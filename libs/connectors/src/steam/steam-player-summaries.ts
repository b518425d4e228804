import type { SteamPlayerSummary } from './steam-web-api.types';

/** Steam's GetPlayerSummaries takes at most this many SteamIDs per call. */
export const PLAYER_SUMMARIES_PER_CALL = 100;

/**
 * Coalesces the player-summary lookups of concurrent syncs into GetPlayerSummaries calls of up to
 * 100 SteamIDs, so syncing a batch of links costs one rate-limit token for all their profiles
 * instead of one each. Lookups are collected until the next turn of the event loop (or until 100
 * are waiting), then sent together; each caller gets its own player, or undefined when Steam did
 * not return it (an unknown or deleted account). A failed call fails every lookup it carried.
 */
export class SteamPlayerSummaries {
  private waiting: Array<{ steamId: string; resolve: (player: SteamPlayerSummary | undefined) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  constructor(private readonly fetchSummaries: (steamIds: readonly string[]) => Promise<SteamPlayerSummary[]>) {}

  get(steamId: string): Promise<SteamPlayerSummary | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ steamId, resolve, reject });
      if (this.waiting.length >= PLAYER_SUMMARIES_PER_CALL) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, PLAYER_SUMMARIES_PER_CALL);
      const ids = [...new Set(batch.map((lookup) => lookup.steamId))];
      this.fetchSummaries(ids).then(
        (players) => {
          const byId = new Map(players.map((player) => [player.steamid, player]));
          for (const lookup of batch) lookup.resolve(byId.get(lookup.steamId));
        },
        (error: unknown) => {
          for (const lookup of batch) lookup.reject(error);
        },
      );
    }
  }
}
