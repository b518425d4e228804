import type { NewActivityEvent } from '@activity/domain';

/** What a connector can do; the platform wires routes, consumers and schedules from this. */
export interface ConnectorDescription {
  readonly name: string;
  readonly displayName: string;
  readonly canWebhook: boolean;
  readonly canSync: boolean;
  readonly requiresAuth: boolean;
  /** Activity types this connector can emit, e.g. `minecraft.player.joined`. */
  readonly eventTypes: readonly string[];
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

/** Events a delivery becomes; `externalAccountId` resolves to the feed owner through account links. */
export interface NormalizedEvent extends Omit<NewActivityEvent, 'tenantId' | 'userId'> {
  readonly externalAccountId: string;
}

export interface Connector {
  describe(): ConnectorDescription;
  /** Checks signature, timestamp and body contract; throws DomainError (401/400) when it fails. */
  verifyWebhook?(webhook: IncomingWebhook, secrets: readonly string[], now?: Date): VerifiedWebhook;
  normalizeWebhook?(delivery: WebhookDelivery): NormalizedEvent[];
}
