import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DomainError, parseInstant, type FieldViolation } from '@activity/domain';
import schema from './minecraft-delivery.schema.json';

/** Deliveries that become feed events. */
export const MINECRAFT_ACTIVITY_TYPES = ['player.joined', 'player.quit', 'player.advancement', 'player.death'] as const;
/** Every delivery type of the contract: the activities, and `player.link` (a player proving their UUID with a code). */
export const MINECRAFT_DELIVERY_TYPES = [...MINECRAFT_ACTIVITY_TYPES, 'player.link'] as const;
export type MinecraftDeliveryType = (typeof MINECRAFT_DELIVERY_TYPES)[number];

export interface MinecraftDelivery {
  type: MinecraftDeliveryType;
  occurredAt: string;
  server: { id: string; name?: string };
  player: { uuid: string; name: string };
  data?: { advancement?: { key: string; title: string }; message?: string; code?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile<MinecraftDelivery>(schema);

/** Parses and checks a delivery body against the published contract (minecraft-delivery.schema.json). */
export function parseMinecraftDelivery(body: Buffer): MinecraftDelivery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new DomainError('malformed_json', { reason: (error as Error).message });
  }
  return checkMinecraftDelivery(parsed);
}

export function checkMinecraftDelivery(parsed: unknown): MinecraftDelivery {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DomainError('validation_failed', {}, [{ field: '', rule: 'type', message: 'the body must be a JSON object' }]);
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type === 'string' && !(MINECRAFT_DELIVERY_TYPES as readonly string[]).includes(type)) {
    throw new DomainError('unknown_event_type', { type });
  }
  if (!validate(parsed)) {
    const violations: FieldViolation[] = (validate.errors ?? [])
      .filter((error) => error.keyword !== 'if')
      .map((error) => ({
        field: (error.instancePath.slice(1).replace(/\//g, '.') + (error.keyword === 'required' ? `${error.instancePath ? '.' : ''}${String(error.params['missingProperty'])}` : '')) || '',
        rule: error.keyword,
        message: error.message ?? 'is invalid',
      }));
    throw new DomainError('validation_failed', {}, violations);
  }
  // JSON Schema's date-time admits forms (leap seconds, year 0) that neither Date nor PostgreSQL can hold.
  if (!parseInstant(parsed.occurredAt)) {
    throw new DomainError('validation_failed', {}, [{ field: 'occurredAt', rule: 'instant', message: 'must be an RFC 3339 date-time between years 1 and 9999, e.g. 2026-11-26T10:00:00Z' }]);
  }
  return parsed;
}
