import type { NewActivityEvent } from '@activity/domain';

/** What a connector can do; the platform wires routes, consumers and schedules from this. */
export interface ConnectorDescription {
  readonly name: string;
  readonly displayName: string;
  readonly canWebhook: boolean;
  readonly canSync: boolean;
  readonly requiresAuth: boolean;
  /** The upstream's limits we keep to (shared by every worker replica). */
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number; readonly note: string };
  /** Activity types this connector can emit, e.g. `minecraft.player.joined`. */
  readonly eventTypes: readonly string[];
  /**
   * How a player proves an identity is theirs before it is linked (anyone can type an id):
   * `platform-code`: we hand out a code, the player shows it on the platform, and the platform's
   * signed webhook brings it back (`linkConfirmation`); `openid`: the platform signs the
   * identity in a redirect. Absent: only a tenant admin may link by typed id.
   */
  readonly ownershipProof?: 'platform-code' | 'openid';
}

/** A verified delivery showing that a player entered a link code on the platform. */
export interface LinkConfirmation {
  readonly externalAccountId: string;
  readonly code: string;
}

/** Link codes are shown as `K7Q2-M9XD` and typed however: compare without case or dashes. */
export function normalizeLinkCode(code: string): string {
  return code.replace(/-/g, '').toUpperCase();
}

/** A webhook delivery as the gateway received it: raw bytes plus lowercase headers. */
export interface IncomingWebhook {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** What verification established about a delivery. */
export interface VerifiedWebhook {
  /** The sender's unique delivery id: the dedupe key. */
  readonly deliveryId: string;
  /** The parsed JSON body, already checked against the connector's contract. */
  readonly body: Record<string, unknown>;
  /** The external account the delivery is about; part of the Kafka key, so its deliveries stay in order. */
  readonly accountKey: string;
}

/** A delivery taken off `webhook.received`, to be turned into activity events. */
export interface WebhookDelivery {
  readonly tenantId: string;
  readonly sourceId: string;
  readonly deliveryId: string;
  readonly body: Record<string, unknown>;
}

/** Events a delivery or a sync becomes; `externalAccountId` resolves to the feed owner through account links. */
export interface NormalizedEvent extends Omit<NewActivityEvent, 'tenantId' | 'userId'> {
  readonly externalAccountId: string;
}

/** What a player typed to link an account (an id, a profile URL, a name...). */
export interface LinkAccountInput {
  readonly account: string;
}

export interface LinkedIdentity {
  readonly externalId: string;
  readonly displayName?: string;
}

export interface SyncLink {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly externalId: string;
}

/**
 * `ok`: synced. `private`: the account hides what we need (not an error: nothing to retry until
 * the player changes their settings). The status is stored on the link and shown to the player.
 */
export type SyncOutcome = 'ok' | 'private';

export interface SyncResult {
  readonly events: NormalizedEvent[];
  /** Stored on the link and handed back next time: what was already seen. */
  readonly state: Record<string, unknown>;
  readonly outcome: SyncOutcome;
  readonly apiCalls: number;
}

export interface Connector {
  describe(): ConnectorDescription;
  /** Checks signature, timestamp and body contract; throws DomainError (401/400) when it fails. */
  verifyWebhook?(webhook: IncomingWebhook, secrets: readonly string[], now?: Date): VerifiedWebhook;
  normalizeWebhook?(delivery: WebhookDelivery): NormalizedEvent[];
  /** A delivery that proves ownership of an identity (see `ownershipProof`), or null. */
  linkConfirmation?(delivery: WebhookDelivery): LinkConfirmation | null;
  /** Validates (and resolves, e.g. a vanity name) what a player typed; throws DomainError `validation_failed`. */
  linkAccount?(input: LinkAccountInput): Promise<LinkedIdentity>;
  /** Pulls the account; must be idempotent: unchanged upstream data yields no events. */
  sync?(link: SyncLink, state: Record<string, unknown>): Promise<SyncResult>;
}
