import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { MalformedMessageError } from '../message-errors';
import { Topic, type TopicName } from '../topics';
import accountLinkedV1 from './schemas/account-linked.v1.json';
import feedUpdatedV1 from './schemas/feed-updated.v1.json';
import syncCompletedV1 from './schemas/sync-completed.v1.json';
import syncRequestedV1 from './schemas/sync-requested.v1.json';
import webhookReceivedV1 from './schemas/webhook-received.v1.json';

export interface WebhookReceivedV1 {
  connector: string;
  sourceId: string;
  deliveryId: string;
  receivedAt: string;
  body: Record<string, unknown>;
}

export interface FeedUpdatedV1 {
  tenantId: string;
  userId: string;
  eventIds: string[];
  types: string[];
  newestOccurredAt: string;
}

export interface AccountLinkedV1 {
  tenantId: string;
  userId: string;
  accountLinkId: string;
  provider: string;
  externalId: string;
  status: 'active' | 'revoked';
}

export interface SyncRequestedV1 {
  tenantId: string;
  accountLinkId: string;
  trigger: 'linked' | 'manual' | 'scheduled';
}

export interface SyncCompletedV1 {
  tenantId: string;
  accountLinkId: string;
  syncRunId: string;
  connector: string;
  status: 'succeeded' | 'failed' | 'skipped';
  eventsCreated: number;
  error?: string;
}

export interface PayloadOf {
  [Topic.WebhookReceived]: WebhookReceivedV1;
  [Topic.FeedUpdated]: FeedUpdatedV1;
  [Topic.AccountLinked]: AccountLinkedV1;
  [Topic.SyncRequested]: SyncRequestedV1;
  [Topic.SyncCompleted]: SyncCompletedV1;
}

/** CloudEvent `type` prefix per topic; the major version follows as `.v<N>`. */
const TYPE_PREFIX: Record<TopicName, string> = {
  [Topic.WebhookReceived]: 'dev.activity.webhook.received',
  [Topic.FeedUpdated]: 'dev.activity.feed.updated',
  [Topic.AccountLinked]: 'dev.activity.account.linked',
  [Topic.SyncRequested]: 'dev.activity.sync.requested',
  [Topic.SyncCompleted]: 'dev.activity.sync.completed',
};

const SCHEMAS: Record<TopicName, Record<number, object>> = {
  [Topic.WebhookReceived]: { 1: webhookReceivedV1 },
  [Topic.FeedUpdated]: { 1: feedUpdatedV1 },
  [Topic.AccountLinked]: { 1: accountLinkedV1 },
  [Topic.SyncRequested]: { 1: syncRequestedV1 },
  [Topic.SyncCompleted]: { 1: syncCompletedV1 },
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
