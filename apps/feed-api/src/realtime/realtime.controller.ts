import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessControl, CurrentPrincipal, RequirePermission, type Principal } from '@activity/auth';
import { isEventId, negotiateLocale } from '@activity/domain';
import { PollQueryDto, StreamQueryDto, type FeedScope } from '../feed/feed-query.dto';
import { AggregatedFeedService } from '../feed/aggregated-feed.service';
import { FeedService } from '../feed/feed.service';
import { NotificationsService } from '../notifications/notifications.service';
import { FeedNotifier, type FeedSignal } from './feed-notifier';

const HEARTBEAT_MS = 15_000;

@ApiTags('feed')
@ApiBearerAuth()
@Controller('v2/feed')
export class RealtimeController {
  constructor(
    private readonly feed: FeedService,
    private readonly aggregated: AggregatedFeedService,
    private readonly notifications: NotificationsService,
    private readonly notifier: FeedNotifier,
    private readonly access: AccessControl,
  ) {}

  @Get('poll')
  @RequirePermission('activity.feed.read')
  @ApiOperation({
    summary: 'Long-poll for events newer than a headCursor',
    description:
      'Answers at once if something newer exists, otherwise when feed.updated arrives for the caller (or the read marker moves on another device), otherwise 204 at the timeout.',
  })
  @ApiNoContentResponse({ description: 'Nothing new before the timeout' })
  async poll(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PollQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.requireScope(principal, query.scope);
    const locale = negotiateLocale(acceptLanguage);
    void reply.header('cache-control', 'private, no-store');
    // Subscribe before looking, so an event committed in between still wakes us.
    const signals = this.listen(principal, query.scope, reply);
    try {
      const after = await this.feed.resumePoint(principal, query.scope, query.cursor);
      const deadline = Date.now() + query.timeout * 1000;
      for (;;) {
        const newer = await this.feed.arrivedAfter(principal, query.scope, after, locale);
        if (newer.items.length) {
          // Aggregated clients also get the groups those events joined, whole.
          const groups = query.view === 'aggregated' && query.scope === 'user' ? await this.aggregated.changedSince(principal, after, locale) : undefined;
          return { items: newer.items, ...(groups ? { groups } : {}), headCursor: newer.headCursor, trigger: 'updated', unread: await this.unreadFor(principal, query.scope) };
        }
        const signal = await signals.next(deadline - Date.now());
        if (signal === 'timeout' || signal.kind === 'closing') break;
        if (signal.kind === 'read') return { items: [], headCursor: query.cursor ?? null, trigger: 'read', unread: await this.unreadFor(principal, query.scope) };
        if (signal.kind === 'item') {
          // An event the client may already show changed (its link previews arrived): hand it over as `updated`.
          const item = await this.feed.item(principal, query.scope, signal.eventId, locale);
          if (item && BigInt(item.id) <= BigInt(after)) return { items: [], updated: [item], headCursor: query.cursor ?? null, trigger: 'item.updated' };
        }
      }
      void reply.status(204);
      return undefined;
    } finally {
      signals.close();
    }
  }

  @Get('stream')
  @RequirePermission('activity.feed.read')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Server-Sent Events: `activity` events (id = event id), `unread` events, `notification` (a new @mention) and `notification.counts` (unseen/unread, also when another device marks them); with view=aggregated also `group` events (a group that changed, as the aggregated feed shows it)',
    description: 'Resumes after the Last-Event-ID header (or lastEventId query). A comment line every 15 s keeps proxies from closing the stream.',
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.requireScope(principal, query.scope);
    const locale = negotiateLocale(acceptLanguage);
    const resume = isEventId(lastEventIdHeader) ? lastEventIdHeader : query.lastEventId;
    let lastSent = resume ?? (await this.feed.resumePoint(principal, query.scope, undefined));
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    raw.write(`retry: 3000\n\n`);

    let closed = false;
    let busy: Promise<void> = Promise.resolve();
    const send = (work: () => Promise<void>) => {
      // One flush at a time per connection, in signal order.
      busy = busy.then(work).catch(() => close());
    };
    const aggregated = query.view === 'aggregated' && query.scope === 'user';
    const flushNew = async () => {
      const from = lastSent;
      for (;;) {
        const newer = await this.feed.arrivedAfter(principal, query.scope, lastSent, locale, 200);
        for (const item of [...newer.items].reverse()) {
          if (closed) return;
          raw.write(`id: ${item.id}\nevent: activity\ndata: ${JSON.stringify(item)}\n\n`);
          lastSent = item.id;
        }
        if (newer.items.length < 200) break;
      }
      // Aggregated clients also get each group that gained members, whole (it moves to the top).
      if (aggregated && lastSent !== from) {
        for (const group of await this.aggregated.changedSince(principal, from, locale)) if (!closed) raw.write(`event: group\ndata: ${JSON.stringify(group)}\n\n`);
      }
    };
    const pushUnread = async () => {
      if (query.scope !== 'user' || closed) return;
      const counts = aggregated ? { ...(await this.feed.unreadCount(principal)), groups: await this.aggregated.unreadCount(principal) } : await this.feed.unreadCount(principal);
      if (!closed) raw.write(`event: unread\ndata: ${JSON.stringify(counts)}\n\n`);
    };
    const heartbeat = setInterval(() => raw.write(`: keep-alive\n\n`), HEARTBEAT_MS);
    const pushItem = (eventId: string) => async () => {
      // Only an event this stream has already sent: a newer one arrives whole through flushNew.
      if (closed || BigInt(eventId) > BigInt(lastSent)) return;
      const item = await this.feed.item(principal, query.scope, eventId, locale);
      if (item && !closed) raw.write(`event: item.updated\ndata: ${JSON.stringify(item)}\n\n`);
    };
    const pushNotificationCounts = async () => {
      if (query.scope === 'user' && !closed) raw.write(`event: notification.counts\ndata: ${JSON.stringify(await this.notifications.counts(principal))}\n\n`);
    };
    const pushNotification = (notificationId: string) => async () => {
      const notification = query.scope === 'user' ? await this.notifications.item(principal, notificationId, locale) : undefined;
      if (notification && !closed) raw.write(`event: notification\ndata: ${JSON.stringify(notification)}\n\n`);
      await pushNotificationCounts();
    };
    const unsubscribe = this.notifier.subscribe(principal.tenantId, query.scope === 'tenant' ? null : principal.userId, (signal) => {
      if (signal.kind === 'closing') return close();
      send(
        signal.kind === 'updated'
          ? flushNew
          : signal.kind === 'item'
            ? pushItem(signal.eventId)
            : signal.kind === 'notification'
              ? pushNotification(signal.notificationId)
              : signal.kind === 'notifications'
                ? pushNotificationCounts
                : pushUnread,
      );
    });
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      raw.end();
    };
    // The response's 'close' fires when the client goes away (the request's fires once its body is read).
    raw.on('close', close);
    send(async () => {
      await flushNew();
      await pushUnread();
    });
  }

  private async requireScope(principal: Principal, scope: FeedScope): Promise<void> {
    if (scope === 'tenant') await this.access.require(principal, 'activity.feed.read_tenant');
  }

  private unreadFor(principal: Principal, scope: FeedScope) {
    return scope === 'user' ? this.feed.unreadCount(principal) : Promise.resolve(null);
  }

  /** A queue of signals for one waiting request; closing it (or the client disconnecting) frees the waiter. */
  private listen(principal: Principal, scope: FeedScope, reply: FastifyReply) {
    const queue: FeedSignal[] = [];
    let wake: (() => void) | undefined;
    const push = (signal: FeedSignal) => {
      queue.push(signal);
      wake?.();
    };
    const unsubscribe = this.notifier.subscribe(principal.tenantId, scope === 'tenant' ? null : principal.userId, push);
    const onClose = () => push({ kind: 'closing' });
    reply.raw.on('close', onClose);
    return {
      next: async (timeoutMs: number): Promise<FeedSignal | 'timeout'> => {
        if (queue.length) return queue.shift()!;
        if (timeoutMs <= 0) return 'timeout';
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        return queue.shift() ?? 'timeout';
      },
      close: () => {
        unsubscribe();
        reply.raw.off('close', onClose);
      },
    };
  }
}
