/**
 * Every error a person or another service can receive, with its HTTP status. The code is the
 * last segment of the problem `type` URI, so it must never change once published.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  malformed_json: 400,
  unknown_event_type: 400,
  invalid_cursor: 400,
  unauthenticated: 401,
  token_expired: 401,
  token_invalid: 401,
  signature_invalid: 401,
  signature_expired: 401,
  signature_rejected: 403,
  oauth_invalid_grant: 400,
  forbidden: 403,
  oauth_access_denied: 403,
  request_timeout: 408,
  not_found: 404,
  webhook_source_not_found: 404,
  unknown_connector: 404,
  delivery_in_progress: 409,
  account_already_linked: 409,
  link_reauthorization_required: 409,
  webhook_source_exists: 409,
  handle_taken: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  header_fields_too_large: 431,
  internal: 500,
  dependency_unavailable: 503,
  upstream_quota_exhausted: 503,
  backend_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
