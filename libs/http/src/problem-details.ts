import { randomUUID } from 'node:crypto';
import { DomainError, failureCauseOf, negotiateLocale, statusOf, type ErrorCode, type FieldViolation, type Locale } from '@activity/domain';
import { messages, type MessageCatalogue } from '@activity/i18n';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://errors.activity.dev/';
/** Longest path parameter the router accepts (Fastify's maxParamLength); longer ones are 414. */
export const MAX_PATH_PARAM_LENGTH = 200;
/** Fastify's default body limit, named when a route's own limit is unknown. */
const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** RFC 9457 problem details, plus our stable `code`, the request id, and field violations. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  requestId?: string;
  errorId?: string;
  errors?: ReadonlyArray<FieldViolation>;
}

export interface RenderedProblem {
  readonly status: number;
  readonly body: ProblemDetails;
  readonly headers: Record<string, string>;
  /** Set for unexpected failures, which are logged once with this id. */
  readonly unexpected?: unknown;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * The one place that turns any thrown value into a localised problem response. Domain errors
 * keep their code; framework errors are mapped to the closest code; anything else is an
 * internal error with an id the caller can quote and the logs carry.
 */
export function renderProblem(error: unknown, request: { url?: string; headers: Record<string, string | string[] | undefined>; id?: string; bodyLimit?: number }): RenderedProblem {
  const acceptLanguage = request.headers['accept-language'];
  const locale = negotiateLocale(Array.isArray(acceptLanguage) ? acceptLanguage[0] : acceptLanguage);
  const domain = toDomainError(error, request.bodyLimit);
  const headers: Record<string, string> = { 'content-language': locale };
  let errorId: string | undefined;
  let params = domain?.params ?? {};
  let code: ErrorCode = domain?.code ?? 'internal';
  if (!domain) {
    errorId = randomUUID();
    params = { errorId };
    code = 'internal';
  }
  const path = request.url?.split('?')[0];
  if (code === 'not_found' && params['path'] === undefined) params = { ...params, path: path ?? '/' };
  const retryAfter = params['retryAfterSeconds'];
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  const texts = messages();
  const body: ProblemDetails = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: texts.format(locale, `errors.${code}.title`, params) ?? code,
    status: statusOf(code),
    detail: texts.format(locale, `errors.${code}.detail`, params) ?? code,
    code,
    ...(path ? { instance: path } : {}),
    ...(request.id ? { requestId: request.id } : {}),
    ...(errorId ? { errorId } : {}),
    ...(domain?.details?.length ? { errors: domain.details.map((violation) => localizeViolation(violation, locale, texts)) } : {}),
  };
  return { status: body.status, body, headers, ...(domain ? {} : { unexpected: error }) };
}

/** The violation's message in the reader's language; its English text when the catalogue has no key for it. */
export function localizeViolation(violation: FieldViolation, locale: Locale, texts: MessageCatalogue): FieldViolation {
  const key = violation.messageKey ?? `validation.${violation.rule}`;
  const message = texts.format(locale, key, { property: violation.field || 'body', ...violation.params }) ?? violation.message;
  return { field: violation.field, rule: violation.rule, message };
}

function toDomainError(error: unknown, bodyLimit?: number): DomainError | undefined {
  if (error instanceof DomainError) return error;
  // A database or broker that is down is an outage the client can wait out, not our bug.
  if (failureCauseOf(error) === 'dependency') return new DomainError('backend_unavailable', { retryAfterSeconds: 5 });
  const candidate = error as FastifyLikeError & { getStatus?: () => number; getResponse?: () => unknown };
  // Nest HttpExceptions (e.g. its own 404 for an unknown route).
  if (typeof candidate?.getStatus === 'function') {
    const status = candidate.getStatus();
    if (status === 404) return new DomainError('not_found');
    if (status === 413) return new DomainError('payload_too_large', { limitBytes: bodyLimit ?? DEFAULT_BODY_LIMIT });
    if (status === 415) return new DomainError('unsupported_media_type');
    if (status === 401) return new DomainError('unauthenticated');
    if (status === 403) return new DomainError('forbidden', { permission: '' });
    if (status === 400) return new DomainError('validation_failed');
    return undefined;
  }
  // Fastify's own errors, raised before a route handler runs.
  switch (candidate?.code) {
    case 'FST_ERR_BAD_URL':
      return new DomainError('bad_request', { reason: 'the URL is not correctly percent-encoded' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError('uri_too_long', { maxLength: MAX_PATH_PARAM_LENGTH });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large', { limitBytes: bodyLimit ?? DEFAULT_BODY_LIMIT });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('malformed_json', { reason: 'the body is empty' });
    default:
      if (candidate?.statusCode === 400 && candidate.message) return new DomainError('malformed_json', { reason: candidate.message });
      return undefined;
  }
}
