import { DomainError, failureCauseOf } from '@activity/domain';
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

export function failureKind(error: unknown): FailureKind {
  if (error instanceof MalformedMessageError) return 'poison';
  if (error instanceof DomainError) return error.code === 'dependency_unavailable' ? 'dependency' : 'poison';
  const cause = failureCauseOf(error);
  return cause === 'data' ? 'poison' : (cause ?? 'unknown');
}
