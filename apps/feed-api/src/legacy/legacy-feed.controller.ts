import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { AccessControl, CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { FeedFilterDto } from '../feed/feed-query.dto';
import { FeedService } from '../feed/feed.service';

/** Announced on 2026-11-26; removed after the sunset date. */
export const V1_DEPRECATED_AT = new Date('2026-11-26T00:00:00Z');
export const V1_SUNSET_AT = new Date('2027-06-30T00:00:00Z');

export class LegacyFeedQueryDto extends FeedFilterDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  page_size: number = 20;
}

@ApiTags('feed (deprecated)')
@ApiBearerAuth()
@Controller('v1/feed')
export class LegacyFeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly access: AccessControl,
  ) {}

  @Get()
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: 'Deprecated: offset-paginated feed. Use GET /v2/feed.',
    description: 'Sends Deprecation, Sunset and Link rel="successor-version" headers. Deep pages get slower; /v2/feed does not.',
    deprecated: true,
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: LegacyFeedQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.scope === 'tenant') await this.access.require(principal, 'activity.feed.read_tenant');
    const locale = negotiateLocale(acceptLanguage);
    void reply
      .header('deprecation', `@${Math.floor(V1_DEPRECATED_AT.getTime() / 1000)}`)
      .header('sunset', V1_SUNSET_AT.toUTCString())
      .header('link', '</v2/feed>; rel="successor-version"')
      .header('content-language', locale);
    const { items, hasMore } = await this.feed.legacyPage(principal, query, query.page, query.page_size, locale);
    return { items, page: query.page, page_size: query.page_size, has_more: hasMore };
  }
}
