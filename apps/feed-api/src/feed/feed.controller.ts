import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessControl, CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { notModified } from './etag';
import { FeedQueryDto, MarkReadDto } from './feed-query.dto';
import { FeedService } from './feed.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('v2/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly access: AccessControl,
  ) {}

  @Get()
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: "The caller's feed, newest first, keyset-paginated", description: 'Supports If-None-Match (304). `scope=tenant` needs activity.feed.read_tenant.' })
  @ApiOkResponse({ description: '{ items, nextCursor, headCursor }' })
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
    const body = await this.feed.pageJson(principal, query, locale);
    return notModified(request, reply, body) ? undefined : body;
  }

  @Get('unread-count')
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Unread events since the read marker', description: 'Exact up to 1000; above that `count` is the string "1000+" and `capped` is true.' })
  async unreadCount(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'private, no-store');
    return this.feed.unreadCount(principal);
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
