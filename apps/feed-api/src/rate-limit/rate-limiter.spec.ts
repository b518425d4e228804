import pino from 'pino';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter (sliding window, in memory)', () => {
  const logger = pino({ level: 'silent' });

  it('never admits more than the limit within any 60 seconds, across a minute boundary too', async () => {
    const limiter = new RateLimiter(null, 10, logger);
    const start = Date.UTC(2026, 10, 26, 10, 0, 55);
    const admitted: number[] = [];
    // Bursts at the end of one minute and the start of the next: a fixed window admitted 20 here.
    for (let t = start; t < start + 70_000; t += 250) {
      if ((await limiter.take('k', t)).allowed) admitted.push(t);
    }
    for (const t of admitted) expect(admitted.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(10);
    expect(admitted.length).toBeGreaterThanOrEqual(10);
  });

  it('refuses with a positive reset, per key', async () => {
    const limiter = new RateLimiter(null, 2, logger);
    const now = Date.UTC(2026, 10, 26, 10);
    expect((await limiter.take('k', now)).remaining).toBe(1);
    await limiter.take('k', now);
    const refused = await limiter.take('k', now);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.resetSeconds).toBeGreaterThan(0);
    expect((await limiter.take('other', now)).allowed).toBe(true);
  });
});
