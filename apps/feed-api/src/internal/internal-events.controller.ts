import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Inject } from '@nestjs/common';
import { InternalCaller, InternalRoute, INTERNAL_HEADERS } from '@activity/auth';
import { assertStorableEvents, parseInstant, type NewActivityEvent } from '@activity/domain';
import { announceFeedUpdates } from '@activity/messaging';
import { ActivityEventStore, inTenantTransaction, OutboxStore } from '@activity/persistence';
import { childTraceparent } from '@activity/observability';
import { DATA_SOURCE } from '@activity/platform';
import { InternalEventDto } from './internal-event.dto';

@ApiTags('internal')
@Controller('internal/v1/events')
export class InternalEventsController {
  private readonly events: ActivityEventStore;
  private readonly outbox: OutboxStore;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {
    this.events = new ActivityEventStore(dataSource);
    this.outbox = new OutboxStore(dataSource);
  }

  @Post()
  @InternalRoute('activity.events.write')
  @ApiHeader({ name: INTERNAL_HEADERS.keyId, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.timestamp, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.signature, required: true, description: 'base64 HMAC-SHA256 of "METHOD\\npath?query\\ntimestamp\\nsha256hex(body)"' })
  @ApiOperation({ summary: "Add a first-party event to a user's feed (service to service)", description: '201 when created, 200 when this eventId was already accepted from the same caller.' })
  async create(@InternalCaller() caller: string, @Body() body: InternalEventDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const event: NewActivityEvent = {
      tenantId: body.tenantId,
      userId: body.userId,
      source: `platform:${caller}`,
      sourceEventId: body.eventId,
      type: body.type,
      actor: { ...body.actor },
      ...(body.object ? { object: { ...body.object } } : {}),
      ...(body.target ? { target: { ...body.target } } : {}),
      occurredAt: parseInstant(body.occurredAt)!,
      payload: body.payload ?? {},
    };
    assertStorableEvents([event]);
    const created = await inTenantTransaction(this.dataSource, body.tenantId, async (manager) => {
      const inserted = await this.events.insertNew(manager, [event]);
      await this.outbox.enqueue(manager, announceFeedUpdates(body.tenantId, inserted, { source: '/feed-api/internal', traceparent: childTraceparent() }));
      return inserted[0];
    });
    if (!created) {
      void reply.status(200);
      return { status: 'duplicate', eventId: body.eventId };
    }
    void reply.status(201);
    return { status: 'created', eventId: body.eventId, id: created.id };
  }
}
