import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { MalformedMessageError } from '../message-errors';
import { Topic, type TopicName } from '../topics';
import {
  AccountLinkedV1Schema,
  FeedItemUpdatedV1Schema,
  FeedUpdatedV1Schema,
  LinkPreviewRequestedV1Schema,
  NotificationCreatedV1Schema,
  SyncCompletedV1Schema,
  SyncRequestedV1Schema,
  WebhookReceivedV1Schema,
  type AccountLinkedV1,
  type FeedItemUpdatedV1,
  type FeedUpdatedV1,
  type LinkPreviewRequestedV1,
  type NotificationCreatedV1,
  type SyncCompletedV1,
  type SyncRequestedV1,
  type WebhookReceivedV1,
} from './topic-payloads';

export type { AccountLinkedV1, FeedItemUpdatedV1, FeedUpdatedV1, LinkPreviewRequestedV1, NotificationCreatedV1, SyncCompletedV1, SyncRequestedV1, WebhookReceivedV1 };

export interface PayloadOf {
  [Topic.WebhookReceived]: WebhookReceivedV1;
  [Topic.FeedUpdated]: FeedUpdatedV1;
  [Topic.AccountLinked]: AccountLinkedV1;
  [Topic.SyncRequested]: SyncRequestedV1;
  [Topic.SyncCompleted]: SyncCompletedV1;
  [Topic.LinkPreviewRequested]: LinkPreviewRequestedV1;
  [Topic.FeedItemUpdated]: FeedItemUpdatedV1;
  [Topic.NotificationCreated]: NotificationCreatedV1;
}

/** CloudEvent `type` prefix per topic; the major version follows as `.v<N>`. */
const TYPE_PREFIX: Record<TopicName, string> = {
  [Topic.WebhookReceived]: 'dev.activity.webhook.received',
  [Topic.FeedUpdated]: 'dev.activity.feed.updated',
  [Topic.AccountLinked]: 'dev.activity.account.linked',
  [Topic.SyncRequested]: 'dev.activity.sync.requested',
  [Topic.SyncCompleted]: 'dev.activity.sync.completed',
  [Topic.LinkPreviewRequested]: 'dev.activity.link.preview.requested',
  [Topic.FeedItemUpdated]: 'dev.activity.feed.item.updated',
  [Topic.NotificationCreated]: 'dev.activity.notification.created',
};

const SCHEMAS: Record<TopicName, Record<number, object>> = {
  [Topic.WebhookReceived]: { 1: WebhookReceivedV1Schema },
  [Topic.FeedUpdated]: { 1: FeedUpdatedV1Schema },
  [Topic.AccountLinked]: { 1: AccountLinkedV1Schema },
  [Topic.SyncRequested]: { 1: SyncRequestedV1Schema },
  [Topic.SyncCompleted]: { 1: SyncCompletedV1Schema },
  [Topic.LinkPreviewRequested]: { 1: LinkPreviewRequestedV1Schema },
  [Topic.FeedItemUpdated]: { 1: FeedItemUpdatedV1Schema },
  [Topic.NotificationCreated]: { 1: NotificationCreatedV1Schema },
};

const CURRENT_MAJOR = 1;

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The CloudEvent type producers stamp on new messages of this topic. */
export function eventTypeOf(topic: TopicName): string {
  return `${TYPE_PREFIX[topic]}.v${CURRENT_MAJOR}`;
}

/** The published JSON Schema of a topic's payload at a major version. */
export function schemaOf(topic: TopicName, major = CURRENT_MAJOR): object | undefined {
  return SCHEMAS[topic][major];
}

/**
 * Checks a payload against the schema its CloudEvent type names. Unknown types and majors are
 * malformed (they go to the DLQ): a consumer must not guess at a contract it does not know.
 */
export function assertValidPayload<T extends TopicName>(topic: T, ceType: string, payload: unknown): asserts payload is PayloadOf[T] {
  const prefix = TYPE_PREFIX[topic];
  const match = ceType.startsWith(`${prefix}.v`) ? /^(\d+)$/.exec(ceType.slice(prefix.length + 2)) : null;
  if (!match) throw new MalformedMessageError('unknown_event_type', `ce_type "${ceType}" is not a ${topic} event`);
  const major = Number(match[1]);
  const schema = SCHEMAS[topic][major];
  if (!schema) throw new MalformedMessageError('unsupported_major_version', `${topic} major version ${major} is not supported (known: ${Object.keys(SCHEMAS[topic]).join(', ')})`);
  const key = `${topic}@${major}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (!validate(payload)) {
    const first = validate.errors?.[0];
    throw new MalformedMessageError('schema_violation', `payload violates ${topic} v${major}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
}
