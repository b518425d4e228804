import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { EVENT_TYPES } from '@activity/domain';

/** Query of GET /v2/feed. */
export class FeedQueryDto {
  /** Comma-separated activity types, e.g. `minecraft.player.joined,steam.achievement.unlocked`. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter(Boolean) : value))
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true, message: `each type must be one of: ${EVENT_TYPES.join(', ')}` })
  types?: string[];

  /** Only events that occurred at or after this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  /** Only events that occurred before this instant (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{16,64}$/, { message: 'cursor is not a cursor issued by this API' })
  cursor?: string;
}
