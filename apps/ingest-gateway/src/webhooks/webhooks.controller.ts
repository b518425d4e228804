import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HandshakeReply, IncomingWebhook } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import { Public } from '@activity/http';
import { WebhookIntakeService, type IntakeResult } from './webhook-intake.service';
import { WebhookRouteParams } from './webhook-route.params';

/** Public: each connector authenticates its senders by its own signature scheme. */
@Public()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(@Inject(WebhookIntakeService) private readonly intake: WebhookIntakeService) {}

  /** 202 once Kafka has the delivery (or it is a known duplicate); a handshake gets the platform's exact answer; see docs/webhooks.md. */
  @Post(':connector/:sourceId')
  @HttpCode(202)
  async receive(
    @Param() params: WebhookRouteParams,
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntakeResult | string | undefined> {
    if (!Buffer.isBuffer(body)) throw new DomainError('unsupported_media_type');
    return answer(await this.intake.receive(params.connector, params.sourceId, incoming('POST', request, body)), reply);
  }

  /** Subscription handshakes that arrive as GET (WebSub intent verification echoing `hub.challenge`). */
  @Get(':connector/:sourceId')
  async verify(@Param() params: WebhookRouteParams, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<IntakeResult | string | undefined> {
    return answer(await this.intake.receive(params.connector, params.sourceId, incoming('GET', request, Buffer.alloc(0))), reply);
  }
}

function incoming(method: 'GET' | 'POST', request: FastifyRequest, body: Buffer): IncomingWebhook {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
    query[name] = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  return { method, headers, query, body };
}

function answer(result: IntakeResult | HandshakeReply, reply: FastifyReply): IntakeResult | string | undefined {
  if ('status' in result && typeof result.status === 'number') {
    const handshake = result as HandshakeReply;
    void reply.status(handshake.status);
    if (handshake.contentType) void reply.type(handshake.contentType);
    return handshake.body ?? '';
  }
  return result as IntakeResult;
}
