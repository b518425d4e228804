import { IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';

/**
 * The environment variables the Steam connector reads, validated at start by every service that
 * registers it. Without STEAM_API_KEY, Steam's event types stay known but nothing links or syncs.
 */
export class SteamSettings {
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  STEAM_API_BASE_URL: string = 'https://api.steampowered.com';

  /** Steam's OpenID 2.0 provider: players link Steam by signing in there. */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  STEAM_OPENID_URL: string = 'https://steamcommunity.com/openid/login';

  @IsOptional()
  @Matches(/^[A-Za-z0-9]{16,64}$/, { message: 'must be a Steam Web API key' })
  STEAM_API_KEY?: string;

  /** Shared by every worker replica. 100,000 calls a day is ~1.16/s; stay under it by default. */
  @IsNumber()
  @Min(0.01)
  STEAM_RATE_LIMIT_PER_SECOND: number = 1.1;

  @IsInt()
  @Min(1)
  STEAM_RATE_LIMIT_BURST: number = 10;

  @IsInt()
  @Min(100)
  @Max(60_000)
  STEAM_TIMEOUT_MS: number = 5_000;

  @IsInt()
  @Min(1)
  @Max(10)
  STEAM_MAX_ATTEMPTS: number = 4;

  /** On a link's first sync, achievements unlocked this many days back become events. */
  @IsInt()
  @Min(0)
  STEAM_BACKFILL_DAYS: number = 30;
}
