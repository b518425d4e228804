/**
 * What an infrastructure error says about its cause, read from the error alone (PostgreSQL
 * SQLSTATE, Node network codes, KafkaJS's `retriable`, driver messages):
 * - `dependency`: something we depend on is down or busy; the same work can succeed later;
 * - `data`: the database refuses these values (data exception, constraint, size limit); it never will;
 * - undefined: nothing to tell.
 * Consumers use it to wait out outages instead of dead-lettering, HTTP to answer 503 instead of 500.
 */
export type FailureCause = 'dependency' | 'data';

// SQLSTATE classes: 22 data exception, 23 integrity constraint, 54 program limit (e.g. index row too large).
const DATA_SQLSTATE_CLASSES = new Set(['22', '23', '54']);
// 08 connection, 40 transaction rollback (serialization, deadlock), 53 insufficient resources,
// 57 operator intervention (shutdown, cannot connect now), 58 system error.
const DEPENDENCY_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const CONNECTION_MESSAGES =
  /connection terminated|connection is closed|connection refused|timeout exceeded when trying to connect|server closed the connection|terminating connection|the database system is (starting up|shutting down)|Connection is not established|stream isn't writeable/i;

export function failureCauseOf(error: unknown, depth = 0): FailureCause | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown }; retriable?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | null;
  if (!candidate || typeof candidate !== 'object' || depth > 5) return undefined;
  const code = typeof candidate.code === 'string' ? candidate.code : typeof candidate.driverError?.code === 'string' ? candidate.driverError.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (DATA_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'data';
    if (DEPENDENCY_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'dependency';
  }
  if (code && NETWORK_ERROR_CODES.has(code)) return 'dependency';
  if (candidate.retriable === true) return 'dependency';
  if (typeof candidate.message === 'string' && CONNECTION_MESSAGES.test(candidate.message)) return 'dependency';
  // AggregateError (e.g. every address refused) and wrapped causes.
  if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => failureCauseOf(inner, depth + 1) === 'dependency')) return 'dependency';
  return candidate.cause && candidate.cause !== error ? failureCauseOf(candidate.cause, depth + 1) : undefined;
}
