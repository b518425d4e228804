import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/**
 * The environment variables the YouTube connector reads. Without an API key, WebSub
 * notifications to an existing source are still verified and turned into `youtube.video.published`
 * from the feed entry alone, but nothing links, syncs, subscribes or confirms live streams.
 */
export class YouTubeSettings {
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  YOUTUBE_API_BASE_URL: string = 'https://www.googleapis.com/youtube/v3';

  /** The WebSub hub's subscribe endpoint. */
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  YOUTUBE_HUB_URL: string = 'https://pubsubhubbub.appspot.com/subscribe';

  /**
   * Data API keys, comma-separated, one per Google Cloud project: each has its own daily quota,
   * and calls move to the next key when one is used up.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{20,60}(,[A-Za-z0-9_-]{20,60})*$/, { message: 'must be Data API keys, comma-separated' })
  YOUTUBE_API_KEYS?: string;

  /** Daily units of each key (Google's default allocation is 10,000). */
  @IsInt()
  @Min(1)
  YOUTUBE_QUOTA_UNITS_PER_DAY: number = 10_000;

  /**
   * How `search.list` is charged: `units` (100 units from the daily pool, as Google long priced it)
   * or `calls` (its own bucket of YOUTUBE_SEARCH_CALLS_PER_DAY calls, as the current page says).
   */
  @IsIn(['units', 'calls'])
  YOUTUBE_SEARCH_PRICING: 'units' | 'calls' = 'units';

  @IsInt()
  @Min(1)
  YOUTUBE_SEARCH_CALLS_PER_DAY: number = 100;

  /** The lease asked of the hub (Google grants 432000 s, five days). */
  @IsInt()
  @Min(60)
  @Max(864_000)
  YOUTUBE_LEASE_SECONDS: number = 432_000;

  /** Leases ending within this are renewed by the link's next run. */
  @IsInt()
  @Min(60)
  YOUTUBE_RENEW_BEFORE_SECONDS: number = 86_400;

  @IsInt()
  @Min(100)
  @Max(60_000)
  YOUTUBE_TIMEOUT_MS: number = 8_000;
}
