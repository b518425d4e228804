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
  /**
   * Addresses over their failure budget, until when. Checked in memory, so a well-behaved request
   * pays no Redis round trip for this limit; failures are counted in Redis (shared), and an
   * instance learns of a block at the first failure it sees from that address.
   */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly perCaller: RateLimiter,
    private readonly authFailures: RateLimiter,
  ) {}

  async admitAddress(request: AccessRequest): Promise<void> {
    const until = this.blockedUntil.get(request.ip);
    if (until === undefined) return;
    if (until <= Date.now()) this.blockedUntil.delete(request.ip);
    else throw new DomainError('rate_limited', { retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) });
  }

  async authenticationFailed(request: AccessRequest): Promise<void> {
    if (isLoopback(request.ip)) return;
    const decision = await this.authFailures.take(compositeKey('auth-failures', request.ip));
    if (decision.allowed) return;
    if (this.blockedUntil.size >= 100_000) this.blockedUntil.clear();
    this.blockedUntil.set(request.ip, Date.now() + decision.resetSeconds * 1000);
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

function refuseUnless(decision: RateLimitDecision): void {
  if (!decision.allowed) throw new DomainError('rate_limited', { retryAfterSeconds: decision.resetSeconds });
}
