import { BrokenCircuitError, CircuitState as CockatielState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { Gauge } from 'prom-client';
import { DomainError } from '@activity/domain';
import { metricsRegistry } from '@activity/observability';

const circuitState = new Gauge({
  name: 'upstream_circuit_state',
  help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
  labelNames: ['upstream'] as const,
  registers: [metricsRegistry],
});

export type CircuitState = 'closed' | 'open' | 'half-open';
const NAMES: Record<CockatielState, CircuitState> = {
  [CockatielState.Closed]: 'closed',
  [CockatielState.HalfOpen]: 'half-open',
  [CockatielState.Open]: 'open',
  [CockatielState.Isolated]: 'open',
};
const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

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
 * calls fail at once with `dependency_unavailable` for `openMs`, then one trial call decides
 * whether to close again. cockatiel keeps the state; this adds the problem the caller gets, the
 * gauge and the state-change log. Unlike the hand-written breaker it replaces, a slow success that
 * started before the circuit opened does not close it again (only a half-open trial can).
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.policy = circuitBreaker(handleWhen(options.isFailure ?? (() => true)), {
      halfOpenAfter: options.openMs,
      breaker: new ConsecutiveBreaker(options.failureThreshold),
    });
    circuitState.set({ upstream: options.dependency }, 0);
    this.policy.onStateChange((next) => {
      const state = NAMES[next];
      if (state === 'open') this.openedAt = Date.now();
      circuitState.set({ upstream: options.dependency }, STATE_VALUE[state]);
      options.onStateChange?.(state);
    });
  }

  /** 'open' until a call arrives after `openMs` (cockatiel moves to half-open on that call). */
  get state(): CircuitState {
    return NAMES[this.policy.state];
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        const remainingMs = Math.max(0, this.options.openMs - (Date.now() - this.openedAt));
        throw new DomainError('dependency_unavailable', { dependency: this.options.dependency, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) }, undefined, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
