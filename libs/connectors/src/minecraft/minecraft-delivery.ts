import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DomainError, parseInstant, type FieldViolation } from '@activity/domain';
import { Type, type Static } from '@sinclair/typebox';

/** Deliveries that become feed events. */
export const MINECRAFT_ACTIVITY_TYPES = ['player.joined', 'player.quit', 'player.advancement', 'player.death'] as const;
/** Every delivery type of the contract: the activities, and `player.link` (a player proving their UUID with a code). */
export const MINECRAFT_DELIVERY_TYPES = [...MINECRAFT_ACTIVITY_TYPES, 'player.link'] as const;
export type MinecraftDeliveryType = (typeof MINECRAFT_DELIVERY_TYPES)[number];

const requiredData = (type: MinecraftDeliveryType, data: object) => ({ if: { properties: { type: { const: type } } }, then: { required: ['data'], properties: { data } } });

/**
 * What a Minecraft server plugin POSTs to /v1/webhooks/minecraft/{sourceId}, signed with Standard
 * Webhooks: the single description of the contract. The JSON Schema (published in the AsyncAPI
 * document and docs/webhooks.md) and the `MinecraftDelivery` type are both derived from it.
 */
export const MinecraftDeliverySchema = Type.Object(
  {
    type: Type.Union(MINECRAFT_DELIVERY_TYPES.map((type) => Type.Literal(type))),
    occurredAt: Type.String({ format: 'date-time' }),
    server: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), name: Type.Optional(Type.String({ maxLength: 256 })) }),
    player: Type.Object({
      uuid: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }),
      name: Type.String({ minLength: 1, maxLength: 64 }),
    }),
    data: Type.Optional(
      Type.Object({
        advancement: Type.Optional(Type.Object({ key: Type.String({ minLength: 1 }), title: Type.String({ minLength: 1 }) })),
        message: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
        code: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{4,16}$' })),
      }),
    ),
  },
  {
    $id: 'https://schemas.activity.dev/webhooks/minecraft-delivery.v1.json',
    title: 'Minecraft server webhook delivery',
    description:
      "What a Minecraft server plugin POSTs to /v1/webhooks/minecraft/{sourceId}, signed with Standard Webhooks. The player's UUID (not the name) identifies them; unknown extra fields are kept in the event payload. `player.link` carries the code a player typed in game to prove they own their UUID (it becomes no feed event).",
    // Which `data` each type needs; kept as conditionals so a violation names the missing field.
    allOf: [
      requiredData('player.advancement', {
        type: 'object',
        required: ['advancement'],
        properties: { advancement: { type: 'object', required: ['key', 'title'], properties: { key: { type: 'string', minLength: 1 }, title: { type: 'string', minLength: 1 } } } },
      }),
      requiredData('player.death', { type: 'object', required: ['message'], properties: { message: { type: 'string', minLength: 1, maxLength: 1024 } } }),
      requiredData('player.link', { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Za-z0-9-]{4,16}$' } } }),
    ],
  },
);

export type MinecraftDelivery = Static<typeof MinecraftDeliverySchema> & { [extra: string]: unknown };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile<MinecraftDelivery>(MinecraftDeliverySchema);

/** Parses and checks a delivery body against the published contract (MinecraftDeliverySchema). */
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
    throw new DomainError('validation_failed', {}, [{ field: '', rule: 'type', message: 'the body must be a JSON object', messageKey: 'validation.bodyObject' }]);
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type === 'string' && !(MINECRAFT_DELIVERY_TYPES as readonly string[]).includes(type)) {
    throw new DomainError('unknown_event_type', { type });
  }
  if (!validate(parsed)) {
    const violations: FieldViolation[] = (validate.errors ?? [])
      .filter((error) => error.keyword !== 'if')
      .map((error) => ({
        field:
          error.instancePath.slice(1).replace(/\//g, '.') + (error.keyword === 'required' ? `${error.instancePath ? '.' : ''}${String(error.params['missingProperty'])}` : '') ||
          '',
        rule: error.keyword,
        message: error.message ?? 'is invalid',
        // Ajv's params (limit, missingProperty, type, format…) are the localised message's arguments.
        params: Object.fromEntries(Object.entries(error.params).flatMap(([name, value]) => (typeof value === 'string' || typeof value === 'number' ? [[name, value]] : []))),
      }));
    throw new DomainError('validation_failed', {}, violations);
  }
  // JSON Schema's date-time admits forms (leap seconds, year 0) that neither Date nor PostgreSQL can hold.
  if (!parseInstant(parsed.occurredAt)) {
    throw new DomainError('validation_failed', {}, [
      { field: 'occurredAt', rule: 'instant', message: 'must be an RFC 3339 date-time between years 1 and 9999, e.g. 2026-11-26T10:00:00Z' },
    ]);
  }
  return parsed;
}
