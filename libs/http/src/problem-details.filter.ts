import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, renderProblem } from './problem-details';

/** Every error leaving a Nest handler becomes application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(exception, request, reply, this.logger);
  }
}

export function sendProblem(exception: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const bodyLimit = request.routeOptions?.bodyLimit;
  const problem = renderProblem(exception, { url: request.url, headers: request.headers, id: String(request.id), ...(bodyLimit ? { bodyLimit } : {}) });
  if (problem.unexpected) {
    logger.error({ err: problem.unexpected, errorId: problem.body.errorId, method: request.method, url: request.url }, 'unexpected error');
  }
  void reply.status(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(problem.body);
}
