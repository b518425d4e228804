import { retryBackoff } from './consumer-runner';

function delays(baseMs: number, maxMs: number, count: number): number[] {
  const out: number[] = [];
  let backoff = retryBackoff(baseMs, maxMs).next(undefined);
  for (let i = 0; i < count; i += 1) {
    out.push(backoff.duration);
    backoff = backoff.next(undefined);
  }
  return out;
}

describe('retryBackoff (cockatiel, decorrelated jitter)', () => {
  it('never waits longer than the maximum, however many attempts', () => {
    for (let run = 0; run < 50; run += 1) for (const delay of delays(50, 5_000, 40)) expect(delay).toBeLessThanOrEqual(5_000);
  });

  it('grows: late attempts wait far longer than the first, on average', () => {
    const runs = Array.from({ length: 200 }, () => delays(50, 5_000, 12));
    const mean = (index: number) => runs.reduce((sum, run) => sum + run[index]!, 0) / runs.length;
    expect(mean(0)).toBeLessThan(200);
    expect(mean(11)).toBeGreaterThan(1_500);
  });

  it('spreads replicas out: the same attempt does not wait the same time twice', () => {
    const seventh = new Set(Array.from({ length: 20 }, () => Math.round(delays(50, 5_000, 7)[6]!)));
    expect(seventh.size).toBeGreaterThan(10);
  });
});
