import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { negotiateLocale } from '@activity/domain';
import { MarkNotificationsDto, NotificationsQueryDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v2/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: "The caller's notifications (@mentions), newest first, keyset-paginated", description: '{ items, nextCursor, headCursor }' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: NotificationsQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const locale = negotiateLocale(acceptLanguage);
    void reply.header('content-language', locale).header('cache-control', 'private, no-store');
    return this.notifications.page(principal, query, locale);
  }

  @Get('counts')
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Unseen and unread notifications', description: 'Exact up to 1000; above that the count is the string "1000+" and `capped` is true.' })
  counts(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'private, no-store');
    return this.notifications.counts(principal);
  }

  @Post('seen')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Mark seen: one (`id`), up to a `cursor` (a headCursor), or `all`', description: "The user's other open clients get `notification.counts` at once." })
  seen(@CurrentPrincipal() principal: Principal, @Body() body: MarkNotificationsDto) {
    return this.notifications.mark(principal, 'seen', body);
  }

  @Post('read')
  @HttpCode(200)
  @RequirePermission('activity.feed.read')
  @ApiOperation({ summary: 'Mark read (and seen): one (`id`), up to a `cursor`, or `all`', description: "The user's other open clients get `notification.counts` at once." })
  read(@CurrentPrincipal() principal: Principal, @Body() body: MarkNotificationsDto) {
    return this.notifications.mark(principal, 'read', body);
  }
}
