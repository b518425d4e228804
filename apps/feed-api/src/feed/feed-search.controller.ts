import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessControl, CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { FeedSearchQueryDto } from './feed-query.dto';
import { FeedSearchService, searchLanguageOf } from './feed-search.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('v2/feed')
export class FeedSearchController {
  constructor(
    private readonly searches: FeedSearchService,
    private readonly access: AccessControl,
  ) {}

  @Get('search')
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: 'Full-text search in the caller’s feed (English and Russian stemming), ranked by text and recency, with highlighted snippets',
    description: 'Takes the feed’s filters. Pages are stable while events arrive (the first page fixes the snapshot). `scope=tenant` needs activity.feed.read_tenant.',
  })
  @ApiOkResponse({ description: '{ items (each with snippet and score), nextCursor, language }' })
  async search(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FeedSearchQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.scope === 'tenant') await this.access.require(principal, 'activity.feed.read_tenant');
    const locale = negotiateLocale(acceptLanguage);
    void reply.header('content-language', locale).header('vary', 'Authorization, Accept-Language').header('cache-control', 'private, no-store');
    return this.searches.search(principal, query, searchLanguageOf(query.lang, acceptLanguage), locale);
  }
}
