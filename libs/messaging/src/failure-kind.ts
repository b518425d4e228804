import { DomainError } from '@activity/domain';
import { MalformedMessageError } from './message-errors';

/**
 * What a handler failure means for the message in hand:
 * - `poison`: the message itself can never succeed (malformed, or data the database refuses):
 *   dead-letter it at once, so it does not hold its partition;
 * - `dependency`: something it needs is down (database, broker, cache): wait and retry for as
 *   long as it takes, because the message is fine and dead-lettering it would lose it;
 * - `unknown`: retry a few times, then dead-letter.
 */
export type FailureKind = 'poison' | 'dependency' | 'unknown';

// SQLSTATE classes: 22 data exception, 23 integrity constraint, 54 program limit (e.g. index row too large).
const POISON_SQLSTATE_CLASSES = new Set(['22', '23', '54']);
// 08 connection, 40 transaction rollback (serialization, deadlock), 53 insufficient resources,
// 57 operator intervention (shutdown, cannot connect now), 58 system error.
const DEPENDENCY_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const CONNECTION_MESSAGES = /connection terminated|connection is closed|connection refused|timeout exceeded when trying to connect|server closed the connection|terminating connection|the database system is (starting up|shutting down)|Connection is not established|stream isn't writeable/i;

export function failureKind(error: unknown): FailureKind {
  if (error instanceof MalformedMessageError) return 'poison';
  if (error instanceof DomainError) return error.code === 'dependency_unavailable' ? 'dependency' : 'poison';
  const candidate = error as { code?: unknown; driverError?: { code?: unknown }; retriable?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | null;
  if (!candidate || typeof candidate !== 'object') return 'unknown';
  const code = typeof candidate.code === 'string' ? candidate.code : typeof candidate.driverError?.code === 'string' ? candidate.driverError.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (POISON_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'poison';
    if (DEPENDENCY_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'dependency';
  }
  if (code && NETWORK_ERROR_CODES.has(code)) return 'dependency';
  // KafkaJS marks errors a retry can fix.
  if (candidate.retriable === true) return 'dependency';
  if (typeof candidate.message === 'string' && CONNECTION_MESSAGES.test(candidate.message)) return 'dependency';
  // AggregateError (e.g. every address refused) and wrapped causes.
  if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => failureKind(inner) === 'dependency')) return 'dependency';
  if (candidate.cause && candidate.cause !== error) return failureKind(candidate.cause);
  return 'unknown';
}
