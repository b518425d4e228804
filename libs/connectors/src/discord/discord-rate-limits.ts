import { Counter } from 'prom-client';
import { SharedUpstreamBuckets, waitForSharedDeadline, type RateGate, type SharedState } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import { metricsRegistry } from '@activity/observability';

const invalidRequests = new Counter({
  name: 'discord_invalid_requests_total',
  help: 'Discord answers that count toward its invalid-request ban (401, 403, 429 other than scope "shared"), by status',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});
const rateLimited = new Counter({
  name: 'discord_rate_limited_total',
  help: 'Discord 429 answers by scope (user, global, shared)',
  labelNames: ['scope'] as const,
  registers: [metricsRegistry],
});

/** Discord counts these per IP over ten minutes; 10,000 of them earn a temporary ban. */
const INVALID_WINDOW_MS = 10 * 60_000;

export interface DiscordRateLimitOptions {
  /** Longest a call waits for a bucket to reset before it fails (a 503 the caller may retry). */
  readonly maxWaitMs: number;
  /** Stop calling once this many invalid answers were seen in the current ten-minute window. */
  readonly invalidRequestBrake: number;
}

/**
 * Discord's REST rate limits, kept by every replica together (the state lives in SharedState):
 * - per-route buckets learnt from `X-RateLimit-Bucket` / `-Remaining` / `-Reset-After`: a bucket
 *   at 0 waits for its reset instead of spending a request on a 429;
 * - the global limit (`globalGate`, 50/s per bot) and our own budget (`budgetGate`);
 * - a 429 pauses what it names (`X-RateLimit-Scope`, `global`) for its `retry_after`;
 * - 401/403/429 answers are counted, and calls stop well before the invalid-request ban.
 */
export class DiscordRateLimits {
  constructor(
    private readonly state: SharedState,
    private readonly globalGate: RateGate,
    private readonly budgetGate: RateGate,
    private readonly options: DiscordRateLimitOptions,
  ) {
    this.buckets = new SharedUpstreamBuckets(state);
  }

  private readonly buckets: SharedUpstreamBuckets;

  /** Waits until `route` may be called (its bucket, the global pause, both gates). */
  async before(route: string): Promise<void> {
    if (Number((await this.state.get('invalid')) ?? 0) >= this.options.invalidRequestBrake)
      throw new DomainError('dependency_unavailable', { dependency: 'Discord', retryAfterSeconds: 60 });
    const bucket = (await this.state.get(`route:${route}`)) ?? route;
    await waitForSharedDeadline(
      async () => Math.max(Number((await this.state.get('pause:global')) ?? 0), Number((await this.state.get(`pause:${bucket}`)) ?? 0), await this.buckets.emptyUntil(bucket)),
      this.options.maxWaitMs,
      'Discord',
    );
    await this.budgetGate.acquire(this.options.maxWaitMs);
    await this.globalGate.acquire(this.options.maxWaitMs);
  }

  /**
   * Learns from an answer: the route's bucket and what is left in it; on a 429, how long to wait
   * (answered in ms) and for whom. Null when the answer was not a 429.
   */
  async after(route: string, response: { status: number; headers: Headers }, body: unknown): Promise<number | null> {
    const headers = response.headers;
    const bucket = headers.get('x-ratelimit-bucket');
    const resetAfter = Number(headers.get('x-ratelimit-reset-after'));
    const remaining = headers.get('x-ratelimit-remaining');
    const key = bucket ?? route;
    if (bucket) await this.state.set(`route:${route}`, bucket, 3_600_000);
    if (remaining !== null && Number.isFinite(resetAfter) && resetAfter >= 0) await this.buckets.record(key, Number(remaining), Date.now() + resetAfter * 1000);
    const scope = headers.get('x-ratelimit-scope') ?? undefined;
    if (response.status === 401 || response.status === 403 || (response.status === 429 && scope !== 'shared')) {
      invalidRequests.inc({ status: String(response.status) });
      await this.state.increment('invalid', INVALID_WINDOW_MS);
    }
    if (response.status !== 429) return null;
    const parsed = body as { retry_after?: unknown; global?: unknown } | null;
    const seconds = typeof parsed?.retry_after === 'number' ? parsed.retry_after : Number(headers.get('retry-after') ?? 1);
    const waitMs = Math.max(0, Math.ceil((Number.isFinite(seconds) ? seconds : 1) * 1000));
    const global = parsed?.global === true || headers.get('x-ratelimit-global') === 'true' || scope === 'global';
    rateLimited.inc({ scope: global ? 'global' : (scope ?? 'user') });
    await this.state.extendUntil(global ? 'pause:global' : `pause:${key}`, Date.now() + waitMs);
    return waitMs;
  }
}
