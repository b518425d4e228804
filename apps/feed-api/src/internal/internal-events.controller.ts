import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Inject } from '@nestjs/common';
import { InternalCaller, InternalRoute, INTERNAL_HEADERS } from '@activity/auth';
import { assertStorableEvents, parseInstant, type NewActivityEvent } from '@activity/domain';
import { DATA_SOURCE, inTenantTransaction } from '@activity/persistence';
import { RecordActivity } from '@activity/use-cases';
import { InternalEventDto } from './internal-event.dto';

@ApiTags('internal')
@Controller('internal/v1/events')
export class InternalEventsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(RecordActivity) private readonly activity: RecordActivity,
  ) {}

  @Post()
  @InternalRoute('activity.events.write')
  @ApiHeader({ name: INTERNAL_HEADERS.keyId, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.timestamp, required: true })
  @ApiHeader({ name: INTERNAL_HEADERS.signature, required: true, description: 'base64 HMAC-SHA256 of "METHOD\\npath?query\\ntimestamp\\nsha256hex(body)"' })
  @ApiOperation({
    summary: "Add a first-party event to a user's feed (service to service)",
    description: '201 when created, 200 when this eventId was already accepted from the same caller.',
  })
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
    const created = await inTenantTransaction(this.dataSource, body.tenantId, async (tx) => (await this.activity.record(tx, [event], '/feed-api/internal'))[0]);
    if (!created) {
      void reply.status(200);
      return { status: 'duplicate', eventId: body.eventId };
    }
    void reply.status(201);
    return { status: 'created', eventId: body.eventId, id: created.id };
  }
}
