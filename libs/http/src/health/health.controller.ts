import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../access-metadata';
import { checkReadiness, HealthRegistry, type ReadinessReport } from '@activity/observability';

@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  /** The process is up and its event loop answers; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every critical dependency answers (body says "degraded" if an optional one does not), else 503. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report: ReadinessReport = await checkReadiness(this.health.list());
    void reply.status(report.status === 'down' ? 503 : 200).send(report);
  }
}
