import { Type, type Static, type TUnsafe } from '@sinclair/typebox';

// One description per topic payload: its JSON Schema (validated by producers and consumers,
// published in the AsyncAPI document) and its TypeScript type are both derived from it.

/** A string from a fixed set, as a plain JSON Schema `enum` (what other languages' generators expect). */
const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

const Id = Type.String({ minLength: 1 });
const Uuid = Type.String({ format: 'uuid' });
const schema = (name: string, title: string, description: string) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `https://schemas.activity.dev/events/${name}.v1.json`,
  title,
  description,
  additionalProperties: false,
});

export const WebhookReceivedV1Schema = Type.Object(
  {
    connector: Type.String({ minLength: 1, description: 'Connector name, e.g. minecraft' }),
    sourceId: Type.String({ minLength: 1, description: 'The webhook source the delivery was addressed to' }),
    deliveryId: Type.String({ minLength: 1, description: "The sender's delivery id (webhook-id for Standard Webhooks)" }),
    receivedAt: Type.String({ format: 'date-time' }),
    body: Type.Record(Type.String(), Type.Unknown(), { description: "The delivery's JSON body, unchanged" }),
  },
  schema('webhook-received', 'webhook.received v1', 'A verified, deduplicated raw webhook delivery, as accepted by ingest-gateway.'),
);

export const FeedUpdatedV1Schema = Type.Object(
  {
    tenantId: Id,
    userId: Id,
    eventIds: Type.Array(Type.String({ pattern: '^[0-9]+$' }), { minItems: 1 }),
    types: Type.Array(Type.String(), { minItems: 1, description: 'Activity types of the new events (see components.schemas.ActivityEventType)' }),
    newestOccurredAt: Type.String({ format: 'date-time' }),
  },
  schema('feed-updated', 'feed.updated v1', "New events were added to a user's feed. Carries ids, not the events: read them from feed-api."),
);

export const AccountLinkedV1Schema = Type.Object(
  { tenantId: Id, userId: Id, accountLinkId: Uuid, provider: Id, externalId: Id, status: StringEnum(['active', 'revoked'] as const) },
  schema('account-linked', 'account.linked v1', 'An account link was created or revoked.'),
);

export const SyncRequestedV1Schema = Type.Object(
  { tenantId: Id, accountLinkId: Uuid, trigger: StringEnum(['linked', 'manual', 'scheduled'] as const) },
  schema('sync-requested', 'sync.requested v1', 'Pull this account link from its platform now.'),
);

export const SyncCompletedV1Schema = Type.Object(
  {
    tenantId: Id,
    accountLinkId: Uuid,
    syncRunId: Uuid,
    connector: Type.String(),
    status: StringEnum(['succeeded', 'failed', 'skipped'] as const),
    eventsCreated: Type.Integer({ minimum: 0 }),
    error: Type.Optional(Type.String()),
  },
  schema('sync-completed', 'sync.completed v1', 'A sync run of an account link ended.'),
);

export type WebhookReceivedV1 = Static<typeof WebhookReceivedV1Schema>;
export const LinkPreviewRequestedV1Schema = Type.Object(
  {
    tenantId: Id,
    eventId: Type.String({ pattern: '^[0-9]+$' }),
    urls: Type.Array(Type.String({ format: 'uri', maxLength: 2048 }), { minItems: 1, maxItems: 3, description: 'Links found in the event’s text' }),
  },
  schema('link-preview-requested', 'link.preview.requested v1', 'A stored event has links in its text: connector-workers fetch their previews (internal).'),
);

export const FeedItemUpdatedV1Schema = Type.Object(
  {
    tenantId: Id,
    userId: Type.Union([Id, Type.Null()], { description: 'The feed owner; null: the tenant feed only' }),
    eventId: Type.String({ pattern: '^[0-9]+$' }),
    change: StringEnum(['link_previews', 'revised', 'removed'] as const, {
      description: 'link_previews: its previews arrived; revised: the platform changed it (a renamed video); removed: the platform withdrew it (gone from feeds)',
    }),
  },
  schema(
    'feed-item-updated',
    'feed.item.updated v1',
    'An event already in a feed changed (its link previews arrived, the platform revised it) or was removed: re-read it from feed-api (404 once removed).',
  ),
);

export const NotificationCreatedV1Schema = Type.Object(
  {
    tenantId: Id,
    userId: Id,
    notificationId: Type.String({ pattern: '^[0-9]+$' }),
    kind: StringEnum(['mention'] as const, { description: 'mention: the user was @mentioned in an event’s text' }),
    eventId: Type.String({ pattern: '^[0-9]+$', description: 'The event that mentions them (feed-api: GET /v2/feed/items/{id} of its owner)' }),
    actor: Type.Object(
      { type: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 512 }), name: Type.Optional(Type.String({ maxLength: 512 })) },
      { description: 'Who mentioned them' },
    ),
    excerpt: Type.String({ maxLength: 400, description: 'The text around the mention' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  schema('notification-created', 'notification.created v1', 'A user was notified (an @mention); push and e-mail services act on it.'),
);

export type FeedUpdatedV1 = Static<typeof FeedUpdatedV1Schema>;
export type NotificationCreatedV1 = Static<typeof NotificationCreatedV1Schema>;
export type LinkPreviewRequestedV1 = Static<typeof LinkPreviewRequestedV1Schema>;
export type FeedItemUpdatedV1 = Static<typeof FeedItemUpdatedV1Schema>;
export type AccountLinkedV1 = Static<typeof AccountLinkedV1Schema>;
export type SyncRequestedV1 = Static<typeof SyncRequestedV1Schema>;
export type SyncCompletedV1 = Static<typeof SyncCompletedV1Schema>;
