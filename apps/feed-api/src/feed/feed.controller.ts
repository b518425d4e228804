import { Controller, Get, Headers, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, JwtAuthGuard, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { FeedQueryDto } from './feed-query.dto';
import { FeedService, type FeedPage } from './feed.service';

@Controller('v2/feed')
@UseGuards(JwtAuthGuard)
export class FeedController {
  constructor(private readonly feed: FeedService) {}

  /** The caller's feed, newest first, keyset-paginated. */
  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FeedQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FeedPage> {
    const locale = negotiateLocale(acceptLanguage);
    void reply.header('content-language', locale).header('vary', 'Authorization, Accept-Language').header('cache-control', 'private, no-cache');
    return this.feed.page(principal, query, locale);
  }
}
