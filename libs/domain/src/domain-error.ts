import type { ErrorCode } from './error-codes';

/**
 * A failure the caller can act on. Carries a stable code (documented, used as the problem
 * `type` and for translation) and the parameters its message needs; transports decide how
 * to render it (HTTP problem+json, DLQ headers).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly details?: ReadonlyArray<FieldViolation>,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'DomainError';
  }
}

/** One invalid input field: where it is and what rule it broke. */
export interface FieldViolation {
  readonly field: string;
  readonly rule: string;
  /** English, for logs and for callers that read no catalogue. */
  readonly message: string;
  /** Catalogue key of the localised message; `validation.<rule>` when absent. */
  readonly messageKey?: string;
  /** Arguments of the localised message (`property` is the field). */
  readonly params?: Readonly<Record<string, string | number>>;
}
