import type { FastifyReply } from 'fastify';
import pino from 'pino';
import type { AccessRequest } from '@activity/auth';
import { RateLimitAdmission } from './rate-limit-admission';
import { RateLimiter } from './rate-limiter';

describe('RateLimitAdmission', () => {
  const logger = pino({ level: 'silent' });
  const from = (ip: string) => ({ ip }) as AccessRequest;
  const reply = { header: () => reply } as unknown as FastifyReply;

  it('refuses an address before any check once it has spent its failure budget, and only that address', async () => {
    const admission = new RateLimitAdmission(new RateLimiter(null, 100, logger), new RateLimiter(null, 3, logger));
    for (let i = 0; i < 4; i += 1) {
      await admission.admitAddress(from('203.0.113.7'));
      await admission.authenticationFailed(from('203.0.113.7'));
    }
    await expect(admission.admitAddress(from('203.0.113.7'))).rejects.toMatchObject({ code: 'rate_limited', params: { retryAfterSeconds: expect.any(Number) } });
    await expect(admission.admitAddress(from('203.0.113.8'))).resolves.toBeUndefined();
  });

  it('does not count loopback callers, who share one address', async () => {
    const admission = new RateLimitAdmission(new RateLimiter(null, 100, logger), new RateLimiter(null, 1, logger));
    for (let i = 0; i < 5; i += 1) await admission.authenticationFailed(from('127.0.0.1'));
    await expect(admission.admitAddress(from('127.0.0.1'))).resolves.toBeUndefined();
  });

  it('limits each verified player separately', async () => {
    const admission = new RateLimitAdmission(new RateLimiter(null, 1, logger), new RateLimiter(null, 100, logger));
    await admission.admitCaller(from('203.0.113.7'), reply, { kind: 'user', tenantId: 'demo', userId: 'sec:x' });
    await expect(admission.admitCaller(from('203.0.113.7'), reply, { kind: 'user', tenantId: 'demo', userId: 'sec:x' })).rejects.toMatchObject({ code: 'rate_limited' });
    // Same characters, different tenant and user: a different bucket.
    await expect(admission.admitCaller(from('203.0.113.7'), reply, { kind: 'user', tenantId: 'demo:sec', userId: 'x' })).resolves.toBeUndefined();
  });
});
