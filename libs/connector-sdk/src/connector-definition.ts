import type { Logger } from 'pino';
import type { EventTypeDefinition } from './event-type';
import type { GatewayConnection } from './gateway';
import type { LinkingMethod } from './linking';
import type { SubscriptionLifecycle } from './subscriptions';
import type { SyncMethod } from './sync';
import type { WebhookScheme } from './webhook';

/** The upstream's limits we keep to (shared by every worker replica). */
export interface RateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly note: string;
}

/** Waits for a token of a rate limit shared by every replica (or this process alone, without Redis). */
export interface RateGate {
  acquire(maxWaitMs?: number): Promise<void>;
}

/** Stops calling an upstream that keeps failing; calls fail fast with a 503 problem while open. */
export interface Breaker {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * A few short-lived values every replica sees (Redis when configured): e.g. an upstream's
 * per-route rate-limit buckets and a pause after a 429, so one replica's lesson holds for all.
 */
export interface SharedState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Raises a deadline (epoch ms) that only moves forward. */
  extendUntil(key: string, untilMs: number): Promise<void>;
  /** Counts (by `by`, default 1) within a window that starts with the first count; answers the new count. */
  increment(key: string, windowMs: number, by?: number): Promise<number>;
}

/** What the platform hands a connector when it builds it. */
export interface ConnectorContext<S> {
  /** The connector's own settings, loaded from the environment and validated at start. */
  readonly settings: S;
  readonly logger: Logger;
  /** The service's public base URL (callbacks and redirects are built from it). */
  readonly publicUrl: string;
  rateGate(key: string, requestsPerSecond: number, burst: number): RateGate;
  breaker(options: { readonly dependency: string; readonly failureThreshold: number; readonly openMs: number; readonly isFailure?: (error: unknown) => boolean }): Breaker;
  /** State shared by every replica, under the connector's own namespace. */
  sharedState(namespace: string): SharedState;
}

/** The working parts of a connector; a part left out is a capability switched off (e.g. no API key configured). */
export interface ConnectorRuntime {
  readonly webhook?: WebhookScheme;
  readonly linking?: LinkingMethod;
  readonly sync?: SyncMethod;
  readonly subscriptions?: SubscriptionLifecycle;
  readonly gateway?: GatewayConnection;
  readonly rateLimit?: RateLimit;
}

/**
 * Everything about one connector, declared in its own folder: the platform derives the event
 * type list, summaries, OpenAPI enums, AsyncAPI schemas, intake routes, consumers, schedules and
 * linking endpoints from the registered definitions. See docs/connectors.md.
 */
export interface ConnectorDefinition<S extends object = object> {
  /** Lowercase, the first segment of its event types and its path segment (`/v1/webhooks/<name>/…`). */
  readonly name: string;
  readonly displayName: string;
  readonly capabilities: {
    readonly webhook: boolean;
    readonly sync: boolean;
    readonly requiresAuth: boolean;
  };
  readonly eventTypes: readonly EventTypeDefinition[];
  /**
   * The connector's texts: a directory laid out `<locale>/<namespace>.json` (usually
   * `path.join(__dirname, 'i18n')`), merged into the platform's catalogues at start. Event
   * summaries are `events.<type>`, ICU MessageFormat with `{actor}`, `{object}`, `{target}` and the
   * payload's top-level fields as arguments.
   */
  readonly messages?: string;
  /** A class-validator class whose properties are the environment variables the connector reads. */
  readonly settings?: new () => S;
  /** Builds the working parts from validated settings. */
  create(context: ConnectorContext<S>): ConnectorRuntime;
}

export function defineConnector<S extends object>(definition: ConnectorDefinition<S>): ConnectorDefinition<S> {
  if (!/^[a-z][a-z0-9_]{1,31}$/.test(definition.name)) throw new Error(`connector name "${definition.name}" must be lowercase letters, digits and _`);
  for (const eventType of definition.eventTypes) {
    if (!eventType.type.startsWith(`${definition.name}.`)) throw new Error(`event type "${eventType.type}" of connector ${definition.name} must start with "${definition.name}."`);
  }
  return definition;
}
