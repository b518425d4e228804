import { IsInt, IsNumber, IsOptional, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * The environment variables the Discord connector reads. Linking needs the OAuth2 client
 * (DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET, DISCORD_REDIRECT_URI); game presence needs a bot
 * (DISCORD_BOT_TOKEN) with the privileged GUILD_PRESENCES intent; webhook events need only a
 * Discord webhook source holding the application's public key. Each part is off without its settings.
 */
export class DiscordSettings {
  /** REST API root (users, connections, gateway discovery). */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  DISCORD_API_BASE_URL: string = 'https://discord.com/api/v10';

  /** Where players consent (the browser goes there). */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  DISCORD_AUTHORIZE_URL: string = 'https://discord.com/oauth2/authorize';

  /** Token and revocation endpoints live under it (`/oauth2/token`, `/oauth2/token/revoke`). */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  DISCORD_OAUTH_BASE_URL: string = 'https://discord.com/api';

  @IsOptional()
  @Matches(/^\d{17,20}$/, { message: 'must be the application id (a snowflake)' })
  DISCORD_CLIENT_ID?: string;

  @IsOptional()
  @MinLength(8)
  DISCORD_CLIENT_SECRET?: string;

  /** Our callback as registered with the application: `<feed-api public URL>/v2/accounts/discord/callback`. */
  @IsOptional()
  @Matches(/^https?:\/\/.+\/v2\/accounts\/discord\/callback$/, { message: 'must be the feed API URL ending in /v2/accounts/discord/callback' })
  DISCORD_REDIRECT_URI?: string;

  /** The bot that reads presences through the Gateway (it must share a guild with the players). */
  @IsOptional()
  @MinLength(20)
  DISCORD_BOT_TOKEN?: string;

  /** Overrides the Gateway URL and shard count `GET /gateway/bot` recommends (a fake, or a fixed layout). */
  @IsOptional()
  @Matches(/^wss?:\/\/.+/, { message: 'must be a ws(s) URL' })
  DISCORD_GATEWAY_URL?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  DISCORD_SHARD_COUNT?: number;

  /** A game must be played (or stopped) this long before it counts: flapping presence is not news. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  DISCORD_PRESENCE_DEBOUNCE_MS: number = 30_000;

  /** Our own budget for REST calls, shared by every replica (the roadmap's 50 per minute). */
  @IsNumber()
  @Min(0.1)
  DISCORD_RATE_LIMIT_PER_MINUTE: number = 50;

  /** Discord's global cap per bot; we keep to it across replicas. */
  @IsInt()
  @Min(1)
  @Max(50)
  DISCORD_GLOBAL_LIMIT_PER_SECOND: number = 50;

  /**
   * Discord bans an IP for a while after 10,000 401/403/429 answers in 10 minutes: we stop
   * calling well before, at this many (shared by every replica).
   */
  @IsInt()
  @Min(10)
  @Max(5_000)
  DISCORD_INVALID_REQUEST_BRAKE: number = 1_000;

  @IsInt()
  @Min(100)
  @Max(60_000)
  DISCORD_TIMEOUT_MS: number = 8_000;
}
