import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@activity/domain';
import { Public } from '@activity/http';
import { WebhookIntakeService, type IntakeResult } from './webhook-intake.service';
import { WebhookRouteParams } from './webhook-route.params';

/** Public: each connector authenticates its senders by its own signature scheme. */
@Public()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly intake: WebhookIntakeService) {}

  /** 202 once Kafka has the delivery (or it is a known duplicate); see docs/webhooks.md for every other answer. */
  @Post(':connector/:sourceId')
  @HttpCode(202)
  async receive(@Param() params: WebhookRouteParams, @Req() request: FastifyRequest, @Body() body: unknown): Promise<IntakeResult> {
    if (!Buffer.isBuffer(body)) throw new DomainError('unsupported_media_type');
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
    return this.intake.accept(params.connector, params.sourceId, { headers, body });
  }
}
