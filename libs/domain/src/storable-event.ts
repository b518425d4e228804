import type { NewActivityEvent } from './activity-event';
import { DomainError, type FieldViolation } from './domain-error';
import { EARLIEST_YEAR, isBeyondFutureSkew, LATEST_YEAR } from './instant';
import { isStorableText, storableViolations } from './storable-value';

/** `source_event_id` is part of a unique b-tree index, whose rows PostgreSQL caps at ~2.7 kB. */
export const MAX_SOURCE_EVENT_ID_LENGTH = 255;

type CheckedEvent = Pick<NewActivityEvent, 'sourceEventId' | 'type' | 'actor' | 'occurredAt' | 'payload'> & Partial<Pick<NewActivityEvent, 'object' | 'target'>>;

/**
 * Everything that would stop `activity_events` from storing this event, as field violations.
 * The webhook intake runs it on the connector's normalisation before acknowledging, and the
 * worker again before writing, so "accepted" and "storable" are the same rule.
 */
export function eventViolations(event: CheckedEvent, now: number = Date.now()): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const id = event.sourceEventId;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_SOURCE_EVENT_ID_LENGTH || !isStorableText(id)) {
    violations.push({
      field: 'sourceEventId',
      rule: 'eventId',
      message: `must be 1 to ${MAX_SOURCE_EVENT_ID_LENGTH} characters without NUL or unpaired surrogates`,
      messageKey: 'validation.sourceEventId',
      params: { constraint1: MAX_SOURCE_EVENT_ID_LENGTH },
    });
  }
  const occurredAt = event.occurredAt;
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime()) || occurredAt.getUTCFullYear() < EARLIEST_YEAR || occurredAt.getUTCFullYear() > LATEST_YEAR) {
    violations.push({ field: 'occurredAt', rule: 'instant', message: `must be a date-time between years ${EARLIEST_YEAR} and ${LATEST_YEAR}` });
  } else if (isBeyondFutureSkew(occurredAt, now)) {
    violations.push({ field: 'occurredAt', rule: 'notInFuture', message: 'must not be in the future' });
  }
  violations.push(...storableViolations(event.type, 'type'));
  for (const [field, object] of [
    ['actor', event.actor],
    ['object', event.object],
    ['target', event.target],
  ] as const) {
    if (object !== undefined) violations.push(...storableViolations(object, field));
  }
  violations.push(...storableViolations(event.payload, 'payload'));
  return violations;
}

/** Throws `validation_failed` with the violations of the first unstorable event. */
export function assertStorableEvents(events: readonly CheckedEvent[], now: number = Date.now()): void {
  for (const event of events) {
    const violations = eventViolations(event, now);
    if (violations.length) throw new DomainError('validation_failed', {}, violations);
  }
}
