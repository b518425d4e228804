import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AccessRequest } from '@activity/auth';
import { DomainError } from '@activity/domain';
import { RateLimiter } from './rate-limiter';

/** Runs after AccessGuard: limits each authenticated player (or calling service) and sets RateLimit-* headers. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AccessRequest>();
    const caller = request.principal ? `user:${request.principal.tenantId}:${request.principal.userId}` : request.internalCaller ? `service:${request.internalCaller}` : undefined;
    if (!caller) return true;
    const decision = await this.limiter.take(caller);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('ratelimit-limit', decision.limit).header('ratelimit-remaining', decision.remaining).header('ratelimit-reset', decision.resetSeconds);
    if (!decision.allowed) throw new DomainError('rate_limited', { retryAfterSeconds: decision.resetSeconds });
    return true;
  }
}
