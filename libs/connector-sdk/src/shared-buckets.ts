import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '@activity/domain';
import type { SharedState } from './connector-definition';

/**
 * An upstream's rate-limit buckets as its answers describe them (what is left, when it refills:
 * Discord's `X-RateLimit-*`, Helix's `Ratelimit-*`), kept in SharedState so every replica waits
 * for the same reset instead of spending a request on a 429.
 */
export class SharedUpstreamBuckets {
  constructor(private readonly state: SharedState) {}

  async record(key: string, remaining: number, resetAtMs: number): Promise<void> {
    await this.state.set(`bucket:${key}`, `${remaining}|${resetAtMs}`, Math.max(1_000, resetAtMs - Date.now() + 1_000));
  }

  /** When the bucket refills if it is empty now (epoch ms), else 0. */
  async emptyUntil(key: string): Promise<number> {
    const value = await this.state.get(`bucket:${key}`);
    if (!value) return 0;
    const [remaining, resetAt] = value.split('|').map(Number);
    return remaining !== undefined && remaining <= 0 && resetAt ? resetAt : 0;
  }
}

/**
 * Waits until the time `until` answers (epoch ms) has passed, asking again after each wait
 * (another replica may have met a new 429 meanwhile); fails with a 503 the caller may retry when
 * that time is more than `maxWaitMs` away.
 */
export async function waitForSharedDeadline(until: () => Promise<number>, maxWaitMs: number, dependency: string): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const at = await until();
    const now = Date.now();
    if (at <= now) return;
    if (at > deadline) throw new DomainError('dependency_unavailable', { dependency, retryAfterSeconds: Math.ceil((at - now) / 1000) });
    // +1: a timer may fire within the millisecond before its time.
    await sleep(at - now + 1);
  }
}
