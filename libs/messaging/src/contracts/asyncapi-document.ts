import type { EventTypeDescriptor } from '@activity/domain';
import { Topic, type TopicName } from '../topics';
import base from './asyncapi-base.json';
import { eventTypeOf, schemaOf } from './event-contracts';

const MESSAGE_OF: Record<string, TopicName> = {
  webhookReceivedV1: Topic.WebhookReceived,
  feedUpdatedV1: Topic.FeedUpdated,
  accountLinkedV1: Topic.AccountLinked,
  syncRequestedV1: Topic.SyncRequested,
  syncCompletedV1: Topic.SyncCompleted,
  linkPreviewRequestedV1: Topic.LinkPreviewRequested,
  feedItemUpdatedV1: Topic.FeedItemUpdated,
  notificationCreatedV1: Topic.NotificationCreated,
};

/** A plain JSON copy (TypeBox schemas carry symbol keys that a published document must not). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function withoutId({ $id: _id, ...schema }: Record<string, unknown>): Record<string, unknown> {
  return schema;
}

/**
 * The AsyncAPI 3.0 document of our topics, for the connectors this process registered: the
 * topic payload schemas producers and consumers validate against, and every activity type with
 * its payload schema and EN/RU summaries (a connector's types appear here by being registered).
 * Served by feed-api at /asyncapi.json; docs/asyncapi.json is the same for the built-in connectors.
 */
export function buildAsyncApiDocument(eventTypes: readonly EventTypeDescriptor[]): Record<string, unknown> {
  const document = plain(base) as Record<string, unknown> & { components: { messages: Record<string, { payload?: unknown }>; schemas?: Record<string, unknown> } };
  for (const [name, message] of Object.entries(document.components.messages)) {
    const topic = MESSAGE_OF[name];
    if (!topic) continue;
    if (message.payload === undefined || (message.payload as { $ref?: string }).$ref !== 'TOPIC_SCHEMA')
      throw new Error(`asyncapi-base.json: message ${name} must take its topic's schema`);
    message.payload = plain(schemaOf(topic));
    if ((document.components.messages[name] as { name?: string }).name !== eventTypeOf(topic))
      throw new Error(`asyncapi-base.json: message ${name} must be named ${eventTypeOf(topic)}`);
  }
  const sorted = [...eventTypes].sort((a, b) => a.type.localeCompare(b.type));
  document.components.schemas = {
    ActivityEventType: {
      type: 'string',
      description: 'The activity types of the registered connectors (feed.updated `types`, feed-api `type`), plus first-party `platform.<name>` types.',
      anyOf: [{ enum: sorted.map((eventType) => eventType.type) }, { pattern: '^platform\\.[a-z0-9_]+(\\.[a-z0-9_]+)*$' }],
    },
    ...Object.fromEntries(
      sorted.map((eventType) => [
        eventType.type,
        // Without $id: several types may share one payload schema (Minecraft's delivery).
        { ...withoutId(plain(eventType.payloadSchema) as Record<string, unknown>), title: eventType.type, description: eventType.description },
      ]),
    ),
  };
  return document;
}
