import type { Static, TSchema } from '@sinclair/typebox';
import type { EventTypeDescriptor } from '@activity/domain';

/**
 * An activity type a connector emits. The payload is described once, as a TypeBox schema: its
 * JSON Schema is what the AsyncAPI document publishes and the storage check validates, and its
 * TypeScript type (`PayloadOf<typeof myType>`) is what the connector's code builds.
 */
export interface EventTypeDefinition<S extends TSchema = TSchema> extends EventTypeDescriptor {
  readonly payloadSchema: S;
}

export type PayloadOf<D> = D extends EventTypeDefinition<infer S> ? Static<S> : never;

export function defineEventType<S extends TSchema>(definition: EventTypeDefinition<S>): EventTypeDefinition<S> {
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+){2,}$/.test(definition.type)) throw new Error(`event type "${definition.type}" must look like <connector>.<noun>.<verb>`);
  return definition;
}
