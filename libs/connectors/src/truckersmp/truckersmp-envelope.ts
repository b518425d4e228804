/** TruckersMP said the request failed (`error: true`, with its `descriptor`), e.g. an unknown player. */
export class TruckersMpApiError extends Error {
  constructor(
    readonly descriptor: string,
    readonly status: number,
  ) {
    super(`TruckersMP answered an error (HTTP ${status}): ${descriptor}`);
    this.name = 'TruckersMpApiError';
  }

  /** The API has no error codes; "not found" is only in the words (and sometimes a 404). */
  get notFound(): boolean {
    return this.status === 404 || /not\s*found|does not exist|unknown|invalid (user|player)/i.test(this.descriptor);
  }
}

/** Fields whose JSON numbers exceed 2^53: read as the digits sent, never as a lossy double. */
const BIG_INTEGER_FIELDS = new Set(['steamID64']);

interface ParseContext {
  readonly source?: string;
}

/**
 * Reads an answer's `{error, response}` envelope. `error` comes as a boolean or as the strings
 * "true"/"false" (both seen in the official client's fixtures); an error's message is in
 * `descriptor`, else in `response`. `steamID64` keeps its exact digits through JSON.parse's
 * source-text access (the number in the JSON is beyond Number.MAX_SAFE_INTEGER).
 */
export function readTruckersMpEnvelope<T>(text: string, status: number): T {
  let body: unknown;
  try {
    body = JSON.parse(text, ((key: string, value: unknown, context?: ParseContext) =>
      BIG_INTEGER_FIELDS.has(key) && typeof value === 'number' && context?.source ? context.source : value) as (key: string, value: unknown) => unknown);
  } catch {
    throw new TruckersMpApiError(`not JSON: ${text.slice(0, 120)}`, status);
  }
  if (typeof body !== 'object' || body === null || !('error' in body)) throw new TruckersMpApiError('the answer has no {error, response} envelope', status);
  const envelope = body as { error: unknown; descriptor?: unknown; response?: unknown };
  if (isTrue(envelope.error) || status >= 400) {
    const descriptor = typeof envelope.descriptor === 'string' ? envelope.descriptor : typeof envelope.response === 'string' ? envelope.response : `HTTP ${status}`;
    throw new TruckersMpApiError(descriptor, status);
  }
  return envelope.response as T;
}

function isTrue(flag: unknown): boolean {
  if (typeof flag === 'boolean') return flag;
  if (flag === 'true') return true;
  if (flag === 'false') return false;
  throw new TruckersMpApiError(`the envelope's error flag is ${JSON.stringify(flag)}`, 200);
}

/** The API's `YYYY-MM-DD HH:MM:SS` (UTC, no zone written) as a Date; undefined when absent or unreadable. */
export function parseTruckersMpDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return Number.isNaN(at.getTime()) ? undefined : at;
}
