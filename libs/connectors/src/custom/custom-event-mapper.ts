import type { NormalizedEvent } from '@activity/connector-sdk';
import { MAX_SOURCE_EVENT_ID_LENGTH } from '@activity/domain';

/** A rule's outputs that cannot be an activity event; names the field. */
export class MappingOutputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MappingOutputError';
  }
}

const TYPE_NAME = /^[a-z0-9_]+(\.[a-z0-9_]+){0,3}$/;
const MAX_NAME = 200;

export interface MappedDelivery {
  readonly sourceId: string;
  readonly deliveryId: string;
  readonly receivedAt: Date;
}

/** `custom.<source>.<name>`: the source id's characters outside `[a-z0-9_]` become `_`. */
export function customEventType(sourceId: string, name: string): string {
  return `custom.${sourceId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}.${name}`;
}

/**
 * Turns a matched rule's evaluated outputs into the event it describes, checking each output's
 * shape; the summary travels in the payload (`summary.en` / `summary.ru`), because a tenant's
 * custom types have no entry in the message catalogue.
 */
export function toCustomEvent(outputs: Readonly<Record<string, unknown>>, delivery: MappedDelivery): NormalizedEvent {
  const name = outputs['type'];
  if (typeof name !== 'string' || !TYPE_NAME.test(name)) throw new MappingOutputError('type', 'must give lowercase words joined by dots (letters, digits, _), e.g. "repo.pushed"');
  const actor = entity(outputs['actor'], 'actor', 'Person');
  if (!actor) throw new MappingOutputError('actor', 'is required: an id string or { "id", "name" }');
  const object = entity(outputs['object'], 'object', 'Object');
  const target = entity(outputs['target'], 'target', 'Object');
  const occurredAt = instant(outputs['occurredAt']) ?? delivery.receivedAt;
  const eventId = outputs['eventId'] === undefined ? delivery.deliveryId : scalar(outputs['eventId'], 'eventId');
  const sourceEventId = `${delivery.sourceId}:${eventId}`;
  if (sourceEventId.length > MAX_SOURCE_EVENT_ID_LENGTH)
    throw new MappingOutputError('eventId', `must be shorter than ${MAX_SOURCE_EVENT_ID_LENGTH - delivery.sourceId.length} characters`);
  const en = outputs['summary.en'];
  if (typeof en !== 'string' || !en.trim()) throw new MappingOutputError('summary.en', 'must give a non-empty text');
  const ru = typeof outputs['summary.ru'] === 'string' && outputs['summary.ru'].trim() ? outputs['summary.ru'] : en;
  const extra = outputs['payload'];
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) throw new MappingOutputError('payload', 'must give an object');
  return {
    source: 'custom',
    sourceEventId,
    type: customEventType(delivery.sourceId, name),
    externalAccountId: actor.id,
    actor,
    ...(object ? { object } : {}),
    ...(target ? { target } : {}),
    occurredAt,
    payload: { ...(extra as Record<string, unknown> | undefined), summary: { en: en.slice(0, 1_000), ru: ru.slice(0, 1_000) }, sourceId: delivery.sourceId },
  };
}

function entity(value: unknown, field: string, defaultType: string): { type: string; id: string; name?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return { type: defaultType, id: String(value).slice(0, MAX_NAME) };
  if (typeof value !== 'object' || Array.isArray(value)) throw new MappingOutputError(field, 'must give an id string or { "id", "name", "type" }');
  const { id, name, type } = value as Record<string, unknown>;
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') throw new MappingOutputError(`${field}.id`, 'must give a non-empty id');
  if (name !== undefined && typeof name !== 'string') throw new MappingOutputError(`${field}.name`, 'must give a text');
  if (type !== undefined && (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(type)))
    throw new MappingOutputError(`${field}.type`, 'must give an Activity Streams type name');
  return { type: (type as string | undefined) ?? defaultType, id: String(id).slice(0, MAX_NAME), ...(name ? { name: name.slice(0, MAX_NAME) } : {}) };
}

function instant(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const at = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new MappingOutputError('occurredAt', 'must give an RFC 3339 date-time or epoch milliseconds');
  return at;
}

function scalar(value: unknown, field: string): string {
  if ((typeof value !== 'string' && typeof value !== 'number') || String(value) === '') throw new MappingOutputError(field, 'must give a non-empty text or number');
  return String(value);
}
