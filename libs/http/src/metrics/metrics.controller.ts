import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../access-metadata';
import { metricsRegistry } from '@activity/observability';

@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    void reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
