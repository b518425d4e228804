import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessControl, CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { notModified } from './etag';
import { AggregatedFeedService } from './aggregated-feed.service';
import { FeedQueryDto, MarkReadDto, UnreadQueryDto } from './feed-query.dto';
import { FeedService, timeWindow } from './feed.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('v2/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly aggregated: AggregatedFeedService,
    private readonly access: AccessControl,
  ) {}

  @Get()
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: "The caller's feed, newest first, keyset-paginated",
    description:
      'Supports If-None-Match (304). `scope=tenant` needs activity.feed.read_tenant. `view=aggregated` answers `{ groups, nextCursor }`: similar events grouped (key, type, count, first/last time, distinct actors, summary, read/seen, samples), the filters applied inside each group.',
  })
  @ApiOkResponse({ description: '{ items, nextCursor, headCursor }, or with view=aggregated { groups, nextCursor }' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FeedQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    if (query.scope === 'tenant') await this.access.require(principal, 'activity.feed.read_tenant');
    const locale = negotiateLocale(acceptLanguage);
    void reply
      .header('content-language', locale)
      .header('vary', 'Authorization, Accept-Language')
      .header('cache-control', 'private, no-cache')
      .header('content-type', 'application/json; charset=utf-8');
    // Already serialised (possibly straight from the cache): sent as is.
    const body = query.view === 'aggregated' ? await this.aggregated.pageJson(principal, query, locale, timeWindow(query)) : await this.feed.pageJson(principal, query, locale);
    return notModified(request, reply, body) ? undefined : body;
  }

  @Get('unread-count')
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: 'Unread events since the read marker',
    description:
      'Exact up to 1000; above that `count` is the string "1000+" and `capped` is true. `view=aggregated`: unread groups (each once, however many members) and `unseen` groups.',
  })
  async unreadCount(@CurrentPrincipal() principal: Principal, @Query() query: UnreadQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'private, no-store');
    return query.view === 'aggregated' ? this.aggregated.unreadCount(principal) : this.feed.unreadCount(principal);
  }

  @Post('read')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: 'Move the read marker: up to an event id, up to a headCursor, or everything',
    description: "The user's other open long-poll/SSE clients are told at once.",
  })
  markRead(@CurrentPrincipal() principal: Principal, @Body() body: MarkReadDto) {
    return this.feed.markRead(principal, body);
  }
}
