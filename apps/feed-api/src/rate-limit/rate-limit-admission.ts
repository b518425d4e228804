import type { FastifyReply } from 'fastify';
import type { AccessRequest, RequestAdmission } from '@activity/auth';
import { compositeKey, DomainError } from '@activity/domain';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

type Caller = Parameters<RequestAdmission['admitCaller']>[2];

/**
 * feed-api's request limits, run by the AccessGuard: failed authentications per client
 * address (checked before any token is verified, so floods of bad tokens are cut off), and
 * requests per player or calling service (checked before the Access service is asked).
 */
export class RateLimitAdmission implements RequestAdmission {
  constructor(
    private readonly perCaller: RateLimiter,
    private readonly authFailures: RateLimiter,
  ) {}

  async admitAddress(request: AccessRequest): Promise<void> {
    if (isLoopback(request.ip)) return;
    // Looks without counting: only failures spend this budget.
    refuseUnless(await this.authFailures.take(addressKey(request), { count: false }));
  }

  async authenticationFailed(request: AccessRequest): Promise<void> {
    if (isLoopback(request.ip)) return;
    await this.authFailures.take(addressKey(request));
  }

  async admitCaller(_request: AccessRequest, reply: FastifyReply, caller: Caller): Promise<void> {
    const decision = await this.perCaller.take(caller.kind === 'user' ? compositeKey('user', caller.tenantId, caller.userId) : compositeKey('service', caller.name));
    void reply.header('ratelimit-limit', decision.limit).header('ratelimit-remaining', decision.remaining).header('ratelimit-reset', decision.resetSeconds);
    refuseUnless(decision);
  }
}

/**
 * Callers on this machine (sidecars, health probes, a local proxy that did not forward the
 * client address) share one address; limiting it would lock them all out together.
 */
function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function addressKey(request: AccessRequest): string {
  return compositeKey('auth-failures', request.ip);
}

function refuseUnless(decision: RateLimitDecision): void {
  if (!decision.allowed) throw new DomainError('rate_limited', { retryAfterSeconds: decision.resetSeconds });
}
