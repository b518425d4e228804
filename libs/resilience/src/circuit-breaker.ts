import { Gauge } from 'prom-client';
import { DomainError } from '@activity/domain';
import { metricsRegistry } from '@activity/observability';

const circuitState = new Gauge({
  name: 'upstream_circuit_state',
  help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
  labelNames: ['upstream'] as const,
  registers: [metricsRegistry],
});
const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long it stays open before one trial call is let through. */
  readonly openMs: number;
  /** Shown in the 503 problem ("{dependency} is unavailable"). */
  readonly dependency: string;
  readonly onStateChange?: (state: CircuitState) => void;
  /** Which errors mean "the upstream is unhealthy"; others (a 404, a private profile) count as answers. Default: all. */
  readonly isFailure?: (error: unknown) => boolean;
}

/**
 * Stops calling an upstream that keeps failing: after `failureThreshold` consecutive failures,
 * calls fail at once with `dependency_unavailable` for `openMs`, then a single trial call decides
 * whether to close again. Protects both the upstream and our latency.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = 'closed';
  private trialInFlight = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    circuitState.set({ upstream: options.dependency }, 0);
  }

  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) this.transition('half-open');
    return this.current;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new DomainError('dependency_unavailable', { dependency: this.options.dependency, retryAfterSeconds: Math.max(1, Math.ceil(this.remainingOpenMs() / 1000)) });
    }
    if (state === 'half-open') this.trialInFlight = true;
    try {
      const result = await call();
      this.failures = 0;
      if (this.current !== 'closed') this.transition('closed');
      return result;
    } catch (error) {
      if (this.options.isFailure && !this.options.isFailure(error)) {
        this.failures = 0;
        if (this.current !== 'closed') this.transition('closed');
        throw error;
      }
      this.failures += 1;
      if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
        this.openedAt = this.now();
        this.transition('open');
      }
      throw error;
    } finally {
      if (state === 'half-open') this.trialInFlight = false;
    }
  }

  private remainingOpenMs(): number {
    return Math.max(0, this.options.openMs - (this.now() - this.openedAt));
  }

  private transition(state: CircuitState): void {
    if (state === this.current) return;
    this.current = state;
    circuitState.set({ upstream: this.options.dependency }, STATE_VALUE[state]);
    this.options.onStateChange?.(state);
  }
}
