import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { HandshakeReply, IncomingWebhook, SourceSubscriptions } from '@activity/connector-sdk';
import { assertStorableEvents, compositeKey, DomainError } from '@activity/domain';
import { assertValidPayload, EventPublisher, eventTypeOf, MessageKey, newCloudEvent, toKafkaHeaders, Topic, type WebhookReceivedV1 } from '@activity/messaging';
import type { DataSource } from 'typeorm';
import { AccountLinkStore, DATA_SOURCE, inTenantTransaction, UpstreamSubscriptionStore, WebhookSourceCache, type ActiveWebhookSource } from '@activity/persistence';
import { childTraceparent, requestContext } from '@activity/observability';
import { EVENT_PUBLISHER, LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { ConnectorRegistry } from '@activity/use-cases';
import type { IngestGatewayConfig } from '../ingest-gateway.config';
import { DeliveryDeduplicator } from './delivery-deduplicator';

export interface IntakeResult {
  readonly status: 'accepted' | 'duplicate';
  readonly deliveryId: string;
}

/**
 * Flow 1 of the design: verify the connector's signature, dedupe by delivery id, publish
 * `webhook.received`, and only then acknowledge. Nothing is acknowledged that Kafka has not.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly publishTimeoutMs: number;

  constructor(
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
    @Inject(WebhookSourceCache) private readonly sources: Pick<WebhookSourceCache, 'findActive'>,
    @Inject(DeliveryDeduplicator) private readonly dedupe: DeliveryDeduplicator,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(SERVICE_CONFIG) config: IngestGatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(UpstreamSubscriptionStore) private readonly subscriptions: UpstreamSubscriptionStore,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
  ) {
    this.publishTimeoutMs = config.KAFKA_PUBLISH_TIMEOUT_MS;
  }

  /**
   * A request on a connector's intake route: a handshake the connector answers itself (a GET
   * echoing a challenge, a verification POST, a PING), or a delivery to accept.
   */
  async receive(connectorName: string, sourceId: string, request: IncomingWebhook): Promise<IntakeResult | HandshakeReply> {
    const connector = this.connectors.get(connectorName);
    const scheme = connector?.receivesWebhooks ? connector.runtime.webhook : undefined;
    if (!scheme) throw new DomainError('unknown_connector', { connector: connectorName });
    let source = await this.sources.findActive(connectorName, sourceId);
    if (!source) throw new DomainError('webhook_source_not_found', { connector: connectorName, sourceId });
    requestContext.assign({ tenantId: source.tenantId });

    let handshake: HandshakeReply | null;
    try {
      handshake = (await scheme.handshake?.(request, source.secrets, undefined, source.settings, this.subscriptionsOf(source))) ?? null;
    } catch (error) {
      // A signed handshake (Discord's PING) may come right after a key change the cache has not heard of.
      const fresh = await this.sources.findActive(connectorName, sourceId, { fresh: true });
      if (!fresh || sameSecrets(fresh, source)) throw error;
      source = fresh;
      handshake = (await scheme.handshake?.(request, source.secrets, undefined, source.settings, this.subscriptionsOf(source))) ?? null;
    }
    if (handshake) {
      this.logger.info({ connector: connectorName, sourceId, status: handshake.status }, 'webhook handshake answered');
      return handshake;
    }
    if (request.method !== 'POST') throw new DomainError('not_found', { path: `/v1/webhooks/${connectorName}/${sourceId}` });
    let verified;
    try {
      verified = scheme.verify(request, source.secrets, undefined, source.settings);
    } catch (error) {
      // The secrets may have changed a moment ago (the cache has not heard yet): check once more with the database's.
      const fresh = await this.sources.findActive(connectorName, sourceId, { fresh: true });
      if (!fresh || sameSecrets(fresh, source)) throw error;
      source = fresh;
      verified = scheme.verify(request, source.secrets, undefined, source.settings);
    }
    // What we acknowledge, the worker must be able to store: run its normalisation and the
    // database's rules now, so a delivery that could never be written is a 400, not a lost 202.
    // (Tenants' mapping rules run in the workers' sandbox only: what they cannot map is counted
    // as unmatched or dead-lettered with the reason there, never dropped silently.)
    if (!scheme.mapsAfterIntake) {
      assertStorableEvents(await scheme.normalize({ tenantId: source.tenantId, sourceId, deliveryId: verified.deliveryId, body: verified.body, settings: source.settings }));
    }
    const dedupeKey = `webhook:delivery:${compositeKey(connectorName, sourceId, verified.deliveryId)}`;
    const claim = await this.dedupe.claim(dedupeKey);
    if (claim === 'duplicate') {
      this.logger.info({ deliveryId: verified.deliveryId }, 'duplicate delivery acknowledged');
      return scheme.acceptedStatus ? { status: scheme.acceptedStatus } : { status: 'duplicate', deliveryId: verified.deliveryId };
    }
    if (claim === 'in_progress') throw new DomainError('delivery_in_progress', { deliveryId: verified.deliveryId, retryAfterSeconds: 1 });

    const payload: WebhookReceivedV1 = {
      connector: connectorName,
      sourceId,
      deliveryId: verified.deliveryId,
      receivedAt: new Date().toISOString(),
      body: verified.body,
    };
    assertValidPayload(Topic.WebhookReceived, eventTypeOf(Topic.WebhookReceived), payload);
    const event = newCloudEvent({
      // Deterministic: a re-sent delivery carries the same ce_id, so consumers can dedupe on it.
      id: deliveryCloudEventId(connectorName, sourceId, verified.deliveryId),
      type: eventTypeOf(Topic.WebhookReceived),
      source: `/ingest-gateway/webhooks/${connectorName}/${sourceId}`,
      subject: verified.deliveryId,
      tenantId: source.tenantId,
      traceparent: childTraceparent(),
    });
    const message = {
      topic: Topic.WebhookReceived,
      key: MessageKey.webhook(source.tenantId, `${connectorName}/${sourceId}`, verified.accountKey),
      headers: toKafkaHeaders(event),
      value: JSON.stringify(payload),
    };
    try {
      await this.publisher.publish([message], { timeoutMs: this.publishTimeoutMs });
    } catch (error) {
      await this.dedupe.release(dedupeKey);
      this.logger.error({ err: (error as Error).message, deliveryId: verified.deliveryId }, 'kafka did not acknowledge the delivery');
      throw new DomainError('dependency_unavailable', { dependency: 'Kafka', retryAfterSeconds: 5 }, undefined, { cause: error });
    }
    await this.dedupe.complete(dedupeKey);
    this.logger.info({ deliveryId: verified.deliveryId, connector: connectorName, sourceId }, 'delivery accepted');
    // Some platforms want an exact acknowledgement (Discord: 204, empty body).
    return scheme.acceptedStatus ? { status: scheme.acceptedStatus } : { status: 'accepted', deliveryId: verified.deliveryId };
  }

  /** The push subscriptions we made for a source, looked up (and settled) in its tenant only when a handshake asks (WebSub intent verification). */
  private subscriptionsOf(source: ActiveWebhookSource): SourceSubscriptions {
    return {
      find: (subscriptionId) =>
        inTenantTransaction(this.dataSource, source.tenantId, (tx) => this.subscriptions.findBySource(tx, source.connector, source.sourceId, subscriptionId)),
      confirm: async (subscriptionId, expiresAt) => {
        await inTenantTransaction(this.dataSource, source.tenantId, (tx) =>
          this.subscriptions.settle(tx, source.connector, source.sourceId, subscriptionId, { status: 'enabled', ...(expiresAt ? { expiresAt } : {}) }),
        );
      },
      deny: async (subscriptionId, reason) => {
        const row = await inTenantTransaction(this.dataSource, source.tenantId, async (tx) => {
          const denied = await this.subscriptions.settle(tx, source.connector, source.sourceId, subscriptionId, { status: 'failed', reason });
          if (denied) await this.links.recordFailure(tx, denied.accountLinkId, `${denied.kind} subscription denied by ${source.connector}: ${reason}`);
          return denied;
        });
        this.logger.warn({ connector: source.connector, sourceId: source.sourceId, subscriptionId, reason, known: Boolean(row) }, 'push subscription denied by the platform');
      },
    };
  }
}

function sameSecrets(a: ActiveWebhookSource, b: ActiveWebhookSource): boolean {
  return a.secrets.length === b.secrets.length && a.secrets.every((secret, index) => secret === b.secrets[index]);
}

export function deliveryCloudEventId(connector: string, sourceId: string, deliveryId: string): string {
  return createHash('sha256').update(`${connector}\n${sourceId}\n${deliveryId}`).digest('hex').slice(0, 32);
}
