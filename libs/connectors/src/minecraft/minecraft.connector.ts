import path from 'node:path';
import {
  defineConnector,
  defineEventType,
  normalizeLinkCode,
  verifyStandardWebhook,
  type IncomingWebhook,
  type LinkAccountInput,
  type LinkConfirmation,
  type LinkedIdentity,
  type NormalizedEvent,
  type VerifiedWebhook,
  type WebhookDelivery,
  type WebhookScheme,
} from '@activity/connector-sdk';
import { DomainError, parseInstant } from '@activity/domain';
import { checkMinecraftDelivery, MinecraftDeliverySchema, parseMinecraftDelivery } from './minecraft-delivery';

// The event payload is the delivery itself (extra fields included), so its schema is the delivery's.
const minecraftEvent = (verb: string, description: string) => defineEventType({ type: `minecraft.player.${verb}`, description, payloadSchema: MinecraftDeliverySchema });

export const MINECRAFT_EVENT_TYPES = [
  minecraftEvent('joined', 'A player joined a server'),
  minecraftEvent('quit', 'A player left a server'),
  minecraftEvent('advancement', 'A player made an advancement'),
  minecraftEvent('death', 'A player died (the object is the death message)'),
];

/** A player links their Minecraft identity by UUID (names change; UUIDs do not). */
async function resolveMinecraftAccount(input: LinkAccountInput): Promise<LinkedIdentity> {
  const uuid = input.account.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
    throw new DomainError('validation_failed', {}, [
      { field: 'account', rule: 'minecraftUuid', message: 'give the player UUID, e.g. a11ce000-0000-4000-8000-000000000001', messageKey: 'validation.minecraft.uuid' },
    ]);
  }
  return { externalId: uuid };
}

/**
 * Minecraft servers have no official webhook, so we define one (docs/connectors/minecraft.md):
 * a server plugin POSTs JSON signed with Standard Webhooks; the player's UUID is the identity.
 */
export class MinecraftWebhooks implements WebhookScheme {
  verify(webhook: IncomingWebhook, secrets: readonly string[], now?: Date): VerifiedWebhook {
    // Signature first: nothing about an unauthenticated body is worth telling its sender.
    const { id } = verifyStandardWebhook(
      { id: webhook.headers['webhook-id'], timestamp: webhook.headers['webhook-timestamp'], signature: webhook.headers['webhook-signature'] },
      webhook.body,
      secrets,
      now,
    );
    const delivery = parseMinecraftDelivery(webhook.body);
    return { deliveryId: id, body: delivery, accountKey: delivery.player.uuid.toLowerCase() };
  }

  /** `player.link`: the server saw this player type a link code (`/activity link <code>`). */
  linkConfirmation(delivery: WebhookDelivery): LinkConfirmation | null {
    const body = checkMinecraftDelivery(delivery.body);
    return body.type === 'player.link' ? { externalAccountId: body.player.uuid.toLowerCase(), code: normalizeLinkCode(body.data!.code!) } : null;
  }

  normalize(delivery: WebhookDelivery): NormalizedEvent[] {
    const body = checkMinecraftDelivery(delivery.body);
    if (body.type === 'player.link') return [];
    const playerId = body.player.uuid.toLowerCase();
    const base = {
      source: 'minecraft',
      sourceEventId: delivery.deliveryId,
      type: `minecraft.${body.type}`,
      externalAccountId: playerId,
      actor: { type: 'Person', id: `minecraft:player:${playerId}`, name: body.player.name },
      target: { type: 'Service', id: `minecraft:server:${delivery.sourceId}:${body.server.id}`, name: body.server.name ?? body.server.id },
      occurredAt: parseInstant(body.occurredAt)!,
      payload: body as Record<string, unknown>,
    };
    switch (body.type) {
      case 'player.advancement': {
        const advancement = body.data!.advancement!;
        return [{ ...base, object: { type: 'Object', id: `minecraft:advancement:${advancement.key}`, name: advancement.title } }];
      }
      case 'player.death':
        return [{ ...base, object: { type: 'Note', id: `minecraft:death:${delivery.deliveryId}`, name: body.data!.message! } }];
      case 'player.joined':
      case 'player.quit':
        return [base];
    }
  }
}

export const minecraftConnector = defineConnector({
  name: 'minecraft',
  displayName: 'Minecraft',
  capabilities: { webhook: true, sync: false, requiresAuth: false },
  eventTypes: MINECRAFT_EVENT_TYPES,
  messages: path.join(__dirname, 'i18n'),
  // Anyone can type a UUID: the player proves it is theirs with a code typed in game.
  create: () => ({ webhook: new MinecraftWebhooks(), linking: { kind: 'platform-code', resolve: resolveMinecraftAccount } }),
});
