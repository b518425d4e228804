/** The parts of the Steam Web API responses we use (shapes from shared/fixtures/PLATFORMS.md). */
export interface SteamPlayerSummary {
  steamid: string;
  communityvisibilitystate: number;
  personaname: string;
  profileurl?: string;
  avatarhash?: string;
  avatarfull?: string;
  personastate?: number;
  gameid?: string;
  gameextrainfo?: string;
}

export interface SteamOwnedGame {
  appid: number;
  name?: string;
  playtime_forever: number;
  playtime_2weeks?: number;
  has_community_visible_stats?: boolean;
  rtime_last_played?: number;
  img_icon_url?: string;
}

export interface SteamRecentGame {
  appid: number;
  name?: string;
  playtime_2weeks: number;
  playtime_forever: number;
}

export interface SteamAchievement {
  apiname: string;
  achieved: number;
  unlocktime: number;
  name?: string;
  description?: string;
}

export interface SteamSchemaAchievement {
  name: string;
  displayName: string;
  description?: string;
  hidden?: number;
}
