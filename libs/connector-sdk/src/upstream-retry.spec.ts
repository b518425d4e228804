import { parseRetryAfter, RetryableError, upstreamRetry } from './upstream-retry';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('ignores what is absent, unreadable, zero or already past', () => {
    for (const value of [undefined, null, '', '0', '-5', 'soon', 'Fri, 27 Nov 2026 11:59:00 GMT']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('upstreamRetry (cockatiel)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries RetryableError up to maxAttempts in all, then gives the last error', async () => {
    const call = jest.fn(() => Promise.reject(new RetryableError('HTTP 503')));
    const outcome = upstreamRetry({ maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }).execute(call);
    const settled = expect(outcome).rejects.toThrow('HTTP 503');
    await jest.runAllTimersAsync();
    await settled;
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('does not retry other errors', async () => {
    const call = jest.fn(() => Promise.reject(new Error('HTTP 404')));
    await expect(upstreamRetry({ maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }).execute(call)).rejects.toThrow('HTTP 404');
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("waits at least the upstream's Retry-After, capped by backoffMaxMs", async () => {
    const policy = upstreamRetry({ maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 5_000 });
    const delays: number[] = [];
    policy.onRetry((event) => delays.push(event.delay));
    let calls = 0;
    const outcome = policy.execute(async () => {
      calls += 1;
      if (calls === 1) throw new RetryableError('HTTP 429', 2_000);
      return 'ok';
    });
    await jest.advanceTimersByTimeAsync(1_999);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('ok');
    expect(delays).toEqual([2_000]);

    const capped = upstreamRetry({ maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 500 });
    const cappedDelays: number[] = [];
    capped.onRetry((event) => cappedDelays.push(event.delay));
    let tries = 0;
    const second = capped.execute(async () => {
      tries += 1;
      if (tries === 1) throw new RetryableError('HTTP 429', 60_000);
      return 'ok';
    });
    await jest.advanceTimersByTimeAsync(500);
    await expect(second).resolves.toBe('ok');
    expect(cappedDelays).toEqual([500]);
  });
});
