import type { NewActivityEvent } from '@activity/domain';

/** A request on a connector's intake route, as the gateway received it: raw bytes, lowercase headers. */
export interface IncomingWebhook {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** What verification established about a delivery. */
export interface VerifiedWebhook {
  /** The sender's unique delivery id: the dedupe key. */
  readonly deliveryId: string;
  /** The parsed body, already checked against the connector's contract. */
  readonly body: Record<string, unknown>;
  /** The external account the delivery is about; part of the Kafka key, so its deliveries stay in order. */
  readonly accountKey: string;
}

/**
 * The gateway's answer to a handshake, sent as is (the platform checks status, content type
 * and body exactly): a GET echoing `hub.challenge` (WebSub), a POST answered with a `text/plain`
 * challenge (Twitch EventSub), a PING answered 204 (Discord).
 */
export interface HandshakeReply {
  readonly status: number;
  readonly contentType?: string;
  readonly body?: string;
}

/** A source's own configuration (`webhook_sources.settings`): e.g. a custom source's signature scheme and mapping rules. */
export type WebhookSourceSettings = Readonly<Record<string, unknown>>;

/** A delivery taken off `webhook.received`, to be turned into activity events. */
export interface WebhookDelivery {
  readonly tenantId: string;
  readonly sourceId: string;
  readonly deliveryId: string;
  readonly body: Record<string, unknown>;
  /** When the gateway accepted it (ISO 8601). */
  readonly receivedAt?: string;
  /** The source's settings, loaded for schemes with `mapsAfterIntake`. */
  readonly settings?: WebhookSourceSettings;
}

/** Events a delivery, a sync or a gateway message becomes; `externalAccountId` resolves to the feed owner through account links. */
export interface NormalizedEvent extends Omit<NewActivityEvent, 'tenantId' | 'userId'> {
  readonly externalAccountId: string;
  /**
   * The platform may send the same event again with new content (a YouTube video's title was
   * edited): a stored one with the same source event id takes the new object and payload (and
   * `feed.item.updated` says so) instead of the new one being skipped as a duplicate.
   */
  readonly revisable?: boolean;
}

/** Stored events the platform withdrew (a deleted YouTube video): removed from feeds and search, announced with `feed.item.updated`. */
export interface EventRetraction {
  /** The source event ids the connector gave them. */
  readonly sourceEventIds: readonly string[];
  readonly reason: string;
}

/**
 * A verified delivery its scheme cannot turn into events (a tenant's mapping rule failed on it,
 * ran too long, or gave something that is no event): connector-workers dead-letter it with this
 * message as the reason instead of retrying it, and go on with the next.
 */
export class UnmappableDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnmappableDeliveryError';
  }
}

/** The push subscriptions we made for a source (WebSub confirms only topics we asked for). */
export interface SourceSubscriptions {
  /** Our subscription with this platform id (a WebSub topic), or null when we never asked for it. */
  find(subscriptionId: string): Promise<{ readonly kind: string; readonly status: string } | null>;
  /** The platform confirmed it (WebSub intent verification), with the lease it granted. */
  confirm(subscriptionId: string, expiresAt?: Date): Promise<void>;
  /** The platform refused it (WebSub `denied`): marked failed and shown on the link; the next reconcile asks again. */
  deny(subscriptionId: string, reason: string): Promise<void>;
}

/** The platform ended a push subscription of ours (the next reconcile creates it again if it can). */
export interface SubscriptionRevocation {
  /** The platform's subscription id. */
  readonly subscriptionId: string;
  readonly reason: string;
}

/** What normalising may look up: the latest stored event of a type for an account (e.g. when a stream started, to tell how long it ran). */
export interface NormalizeContext {
  latestEvent(type: string, externalAccountId: string): Promise<{ readonly occurredAt: Date; readonly payload: Record<string, unknown> } | null>;
}

/** A verified delivery showing that a player withdrew our access on the platform. */
export interface LinkRevocation {
  readonly externalAccountId: string;
  readonly reason: string;
  /** When the player withdrew access: a link made after it (they linked again) stays, whatever the delivery's age. */
  readonly at: Date;
}

/** A verified delivery showing that a player entered a link code on the platform. */
export interface LinkConfirmation {
  readonly externalAccountId: string;
  readonly code: string;
}

/**
 * How a platform pushes to us. The gateway calls `handshake` first, with the secrets of the
 * source, on every request to the intake route (GET ones included); `verify` then checks the
 * signature, timestamp and body contract of a delivery; connector-workers call `normalize`.
 */
export interface WebhookScheme {
  /**
   * A reply when the request is a handshake rather than a delivery; null otherwise. It must
   * verify what the platform signs (Discord signs its PING, Twitch its verification) before
   * answering, and throw DomainError `signature_invalid` when that fails.
   */
  handshake?(
    request: IncomingWebhook,
    secrets: readonly string[],
    now?: Date,
    settings?: WebhookSourceSettings,
    subscriptions?: SourceSubscriptions,
  ): HandshakeReply | null | Promise<HandshakeReply | null>;
  /** Checks signature, timestamp and body contract; throws DomainError (401/400) when it fails. */
  verify(request: IncomingWebhook, secrets: readonly string[], now?: Date, settings?: WebhookSourceSettings): VerifiedWebhook;
  /**
   * The status an accepted (or duplicate) delivery is answered with, when the platform wants one
   * (Discord: 204 with an empty body); 202 with a JSON receipt otherwise.
   */
  readonly acceptedStatus?: number;
  /**
   * Set when normalising depends on the source's settings and may be costly (tenants' mapping
   * rules): the gateway then acknowledges a verified delivery without normalising it, and
   * connector-workers load the settings, count a delivery that yields no event as unmatched for
   * the source's admin, and dead-letter one that cannot be mapped, with the reason.
   */
  readonly mapsAfterIntake?: boolean;
  /**
   * Set when the platform gives each source its key (Discord: the application's Ed25519 public
   * key, 64 hex characters): an admin supplies it when creating or rotating the source; no
   * secret is generated.
   */
  readonly sourceKey?: { readonly pattern: RegExp; readonly example: string };
  /** `context` is given by connector-workers (the gateway's pre-acknowledgement check has none). */
  normalize(delivery: WebhookDelivery, context?: NormalizeContext): NormalizedEvent[] | Promise<NormalizedEvent[]>;
  /** A delivery that proves ownership of an identity (see LinkingMethod `platform-code`), or null. */
  linkConfirmation?(delivery: WebhookDelivery): LinkConfirmation | null;
  /** A delivery saying the player withdrew our access on the platform (Discord's deauthorization): their link is revoked. */
  linkRevocation?(delivery: WebhookDelivery): LinkRevocation | null;
  /** A delivery saying the platform ended one of our push subscriptions (Twitch's `revocation`): it is marked, and shown on the link. */
  subscriptionRevocation?(delivery: WebhookDelivery): SubscriptionRevocation | null;
  /** Events a delivery withdraws (YouTube's `at:deleted-entry` tombstones). */
  retractions?(delivery: WebhookDelivery): EventRetraction[];
}

/** Link codes are shown as `K7Q2-M9XD` and typed however: compare without case or dashes. */
export function normalizeLinkCode(code: string): string {
  return code.replace(/-/g, '').toUpperCase();
}
