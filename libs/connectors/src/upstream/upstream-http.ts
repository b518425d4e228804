import type { RetryPolicy } from 'cockatiel';
import type { Logger } from 'pino';
import { Counter, Histogram } from 'prom-client';
import { parseRetryAfter, RetryableError, upstreamRetry, type Breaker, type RateGate, type UpstreamRetryOptions } from '@activity/connector-sdk';
import { metricsRegistry } from '@activity/observability';

const upstreamCalls = new Counter({
  name: 'upstream_requests_total',
  help: 'Calls to platform APIs by upstream, method and outcome (HTTP status or "timeout"/"error")',
  labelNames: ['upstream', 'method', 'outcome'] as const,
  registers: [metricsRegistry],
});
const upstreamDuration = new Histogram({
  name: 'upstream_request_duration_seconds',
  help: 'Duration of calls to platform APIs',
  labelNames: ['upstream', 'method'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
const rateLimitWaits = new Histogram({
  name: 'upstream_rate_limit_wait_seconds',
  help: 'Time spent waiting for the shared per-connector rate limit',
  labelNames: ['upstream'] as const,
  buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export interface UpstreamHttpOptions extends UpstreamRetryOptions {
  readonly timeoutMs: number;
}

/**
 * How every pulling connector calls its platform: each attempt goes through the circuit breaker
 * and only then waits for the shared rate limit (an open circuit fails at once instead of queueing
 * for a token); 429 / 5xx / timeouts are retried with exponential backoff and jitter, never sooner
 * than Retry-After; every attempt is counted and timed per upstream and method.
 */
export class UpstreamHttp {
  calls = 0;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly upstream: string,
    private readonly options: UpstreamHttpOptions,
    private readonly gate: RateGate,
    private readonly breaker: Breaker,
    private readonly logger: Logger,
  ) {
    this.retry = upstreamRetry(options);
    this.retry.onRetry((event) =>
      this.logger.debug(
        { attempt: event.attempt, delayMs: Math.round(event.delay), err: 'error' in event ? (event.error as Error).message : undefined },
        `${upstream} call failed; retrying`,
      ),
    );
  }

  /**
   * Runs `read` on each attempt's response (2xx..4xx); `read` throws to fail the call. Rejects
   * with RetryableError once the attempts are spent.
   */
  execute<T>(method: string, url: URL, init: RequestInit, read: (response: Response) => Promise<T>): Promise<T> {
    return this.retry.execute(() =>
      this.breaker.run(async () => {
        const waited = Date.now();
        await this.gate.acquire();
        rateLimitWaits.observe({ upstream: this.upstream }, (Date.now() - waited) / 1000);
        return read(await this.attempt(method, url, init));
      }),
    );
  }

  private async attempt(method: string, url: URL, init: RequestInit): Promise<Response> {
    this.calls += 1;
    const stop = upstreamDuration.startTimer({ upstream: this.upstream, method });
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
      upstreamCalls.inc({ upstream: this.upstream, method, outcome });
      throw new RetryableError(`${outcome}: ${(error as Error).message}`);
    } finally {
      stop();
    }
    upstreamCalls.inc({ upstream: this.upstream, method, outcome: String(response.status) });
    if (response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      await response.body?.cancel();
      throw new RetryableError(`HTTP ${response.status}`, retryAfterMs);
    }
    return response;
  }
}
