import { ExponentialBackoff, handleType, retry, type IBackoff, type IBackoffFactory, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';

/** A failure worth another attempt (429, 5xx, timeout), with the wait the upstream asked for. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

/**
 * `Retry-After` in milliseconds: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2026
 * 07:28:00 GMT", RFC 9110 §10.2.3). Undefined when absent, unreadable or already past.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds > 0 ? seconds * 1000 : undefined;
  }
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return at > now ? at - now : undefined;
}

/** Exponential backoff with jitter, but never shorter than the upstream's Retry-After, and never longer than `maxMs`. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly exponential: IBackoffFactory<unknown>,
    private readonly maxMs: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return this.wrap(this.exponential.next(context), context);
  }

  private wrap(inner: IBackoff<unknown>, context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const failure = 'error' in context.result ? context.result.error : undefined;
    const asked = failure instanceof RetryableError ? (failure.retryAfterMs ?? 0) : 0;
    return {
      duration: Math.min(this.maxMs, Math.max(inner.duration, asked)),
      next: (nextContext) => this.wrap(inner.next(nextContext), nextContext),
    };
  }
}

export interface UpstreamRetryOptions {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  /** Upper bound on one wait, including a Retry-After the upstream asks for. */
  readonly backoffMaxMs: number;
}

/** cockatiel's retry for platform API calls: only RetryableError is retried. */
export function upstreamRetry(options: UpstreamRetryOptions): RetryPolicy {
  return retry(handleType(RetryableError), {
    maxAttempts: Math.max(0, options.maxAttempts - 1),
    backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: options.backoffBaseMs, maxDelay: options.backoffMaxMs }), options.backoffMaxMs),
  });
}
