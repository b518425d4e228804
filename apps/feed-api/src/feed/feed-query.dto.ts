import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { SearchLanguage } from '@activity/domain';
import { IsEventId, IsInstant, IsKnownEventType, IsOptionalButNotNull, IsStorableText } from '@activity/http';
import { i18nValidationMessage } from 'nestjs-i18n';

/** More types than any connector set declares is a mistake, not a filter. */
const MAX_TYPE_FILTERS = 64;
/** A signed cursor: base64url body, a dot, its MAC. */
export const CURSOR = /^[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{16,64}$/;
const SEARCH_CURSOR = /^[A-Za-z0-9_-]{1,1024}\.[A-Za-z0-9_-]{16,64}$/;
const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : value;

export type FeedScope = 'user' | 'tenant';
export type FeedView = 'items' | 'aggregated';

/** Filters shared by every feed read (v2, v1, poll). */
export class FeedFilterDto {
  // The enum is the registered connectors' types, filled in when the OpenAPI document is built.
  @ApiPropertyOptional({
    description: 'Comma-separated activity types: the connectors’ (enumerated), first-party `platform.*`, and tenants’ `custom.<source>.<name>`',
    example: 'minecraft.player.advancement,steam.achievement.unlocked',
    type: String,
    isArray: true,
  })
  @IsOptional()
  @Transform(splitList)
  @ArrayMaxSize(MAX_TYPE_FILTERS)
  @IsKnownEventType({ each: true })
  types?: string[];

  @ApiPropertyOptional({ description: 'Only events that occurred at or after this instant (ISO 8601)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsInstant({ allowDate: true })
  since?: string;

  @ApiPropertyOptional({ description: 'Only events that occurred before this instant (ISO 8601); must be after `since`' })
  @IsOptional()
  @IsInstant({ allowDate: true })
  until?: string;

  @ApiPropertyOptional({ description: '`tenant` reads the whole tenant feed and needs `activity.feed.read_tenant`', enum: ['user', 'tenant'], default: 'user' })
  @IsOptional()
  @IsIn(['user', 'tenant'])
  scope: FeedScope = 'user';
}

/** Query of GET /v2/feed. */
export class FeedQueryDto extends FeedFilterDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page; only valid with the same filters' })
  @IsOptional()
  @Matches(CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;

  @ApiPropertyOptional({
    enum: ['items', 'aggregated'],
    default: 'items',
    description: '`aggregated`: groups of similar events (user scope); filters apply inside groups, so counts and times are of the matching members',
  })
  @IsOptional()
  @IsIn(['items', 'aggregated'])
  view: FeedView = 'items';

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 3, description: '`view=aggregated`: newest members shown with each group' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  samples: number = 3;
}

/** Query of GET /v2/feed/unread-count. */
export class UnreadQueryDto {
  @ApiPropertyOptional({ enum: ['items', 'aggregated'], default: 'items', description: '`aggregated`: groups with unread members, each counted once' })
  @IsOptional()
  @IsIn(['items', 'aggregated'])
  view: FeedView = 'items';
}

/** Query of GET /v2/feed/poll. */
export class PollQueryDto {
  @ApiPropertyOptional({ description: '`headCursor` of the newest page the client has; without it, waits for anything newer than the request' })
  @IsOptional()
  @Matches(CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Seconds to wait before answering 204', minimum: 1, maximum: 30, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30)
  timeout: number = 25;

  @ApiPropertyOptional({ enum: ['user', 'tenant'], default: 'user' })
  @IsOptional()
  @IsIn(['user', 'tenant'])
  scope: FeedScope = 'user';

  @ApiPropertyOptional({
    enum: ['items', 'aggregated'],
    default: 'items',
    description: '`aggregated`: the answer also carries `groups`, each group that gained members, as the aggregated feed shows it',
  })
  @IsOptional()
  @IsIn(['items', 'aggregated'])
  view: FeedView = 'items';
}

/** Query of GET /v2/feed/stream. */
export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'Resume after this event id (same as the Last-Event-ID header, for clients that cannot set it)' })
  @IsOptional()
  @IsEventId()
  lastEventId?: string;

  @ApiPropertyOptional({ enum: ['user', 'tenant'], default: 'user' })
  @IsOptional()
  @IsIn(['user', 'tenant'])
  scope: FeedScope = 'user';

  @ApiPropertyOptional({ enum: ['items', 'aggregated'], default: 'items', description: '`aggregated`: also `group` events, the changed group as the aggregated feed shows it' })
  @IsOptional()
  @IsIn(['items', 'aggregated'])
  view: FeedView = 'items';
}

/** Body of PUT /v2/feed/grouping-rules/{type}. */
export class GroupingRuleDto {
  @ApiProperty({ description: 'Up to 4 of actor, object, target, payload.<name>', example: ['actor', 'target'], type: [String] })
  @IsString({ each: true })
  @ArrayMaxSize(4)
  fields!: string[];

  @ApiProperty({ description: 'The window events of a group fall in, in seconds (60 to 2592000)', example: 86400 })
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(2_592_000)
  windowSeconds!: number;
}

/** Body of POST /v2/feed/read: exactly one of the three. */
export class MarkReadDto {
  @ApiPropertyOptional({ description: 'Mark read up to and including this event', example: '42' })
  @IsOptionalButNotNull()
  @IsEventId()
  eventId?: string;

  @ApiPropertyOptional({ description: 'Mark read up to the newest item of a page (its `headCursor`)' })
  @IsOptionalButNotNull()
  @Matches(CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Mark everything read' })
  @IsOptionalButNotNull()
  @IsBoolean()
  all?: boolean;
}

/** Query of GET /v2/feed/search. */
export class FeedSearchQueryDto extends FeedFilterDto {
  @ApiProperty({ description: 'Words to find (any text: only its words are searched; the last one also as a prefix)', example: 'достижения' })
  @IsString()
  @IsStorableText()
  @MaxLength(10_000)
  q!: string;

  @ApiPropertyOptional({ description: 'The query’s language for stemming: `en`, `ru`, or `any` (both). Default: from Accept-Language, else both', enum: ['en', 'ru', 'any'] })
  @IsOptional()
  @IsIn(['en', 'ru', 'any'])
  lang?: SearchLanguage;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 20;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page; only valid with the same query and filters' })
  @IsOptional()
  @Matches(SEARCH_CURSOR, { message: i18nValidationMessage('validation.field.cursor') })
  cursor?: string;
}
