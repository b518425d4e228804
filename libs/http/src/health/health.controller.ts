import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../access-metadata';
import { checkReadiness, HEALTH_INDICATORS, type HealthIndicator, type ReadinessReport } from '@activity/observability';

@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  /** The process is up and its event loop answers; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every critical dependency answers (body says "degraded" if an optional one does not), else 503. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report: ReadinessReport = await checkReadiness(this.indicators);
    void reply.status(report.status === 'down' ? 503 : 200).send(report);
  }
}
