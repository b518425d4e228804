import { IsInt, IsOptional, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * The environment variables the Twitch connector reads. Without the application's client id and
 * secret, EventSub deliveries to an existing source are still verified and stored, but nothing
 * links, syncs or subscribes.
 */
export class TwitchSettings {
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  TWITCH_API_BASE_URL: string = 'https://api.twitch.tv/helix';

  /** OAuth2 (app tokens by client credentials, players' authorization codes) lives under it. */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  TWITCH_AUTH_BASE_URL: string = 'https://id.twitch.tv/oauth2';

  @IsOptional()
  @Matches(/^[a-z0-9]{20,40}$/, { message: 'must be the application client id' })
  TWITCH_CLIENT_ID?: string;

  @IsOptional()
  @MinLength(8)
  TWITCH_CLIENT_SECRET?: string;

  /** `<feed-api public URL>/v2/accounts/twitch/callback`, registered with the application: players link by OAuth2. */
  @IsOptional()
  @Matches(/^https?:\/\/.+\/v2\/accounts\/twitch\/callback$/, { message: 'must be the feed API URL ending in /v2/accounts/twitch/callback' })
  TWITCH_REDIRECT_URI?: string;

  /** Helix's default bucket for an app token; shared by every replica. */
  @IsInt()
  @Min(1)
  TWITCH_RATE_LIMIT_POINTS_PER_MINUTE: number = 800;

  @IsInt()
  @Min(100)
  @Max(60_000)
  TWITCH_TIMEOUT_MS: number = 8_000;

  /** On a link's first sync, clips made this many days back become events. */
  @IsInt()
  @Min(0)
  @Max(60)
  TWITCH_CLIPS_BACKFILL_DAYS: number = 7;
}
