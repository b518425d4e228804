import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectorRegistry, IncomingWebhook } from '@activity/connectors';
import { assertStorableEvents, compositeKey, DomainError } from '@activity/domain';
import { assertValidPayload, eventTypeOf, MessageKey, newCloudEvent, toKafkaHeaders, Topic, type EventPublisher, type WebhookReceivedV1 } from '@activity/messaging';
import type { WebhookSourceStore } from '@activity/persistence';
import { childTraceparent, requestContext } from '@activity/observability';
import type { DeliveryDeduplicator } from './delivery-deduplicator';

export interface IntakeResult {
  readonly status: 'accepted' | 'duplicate';
  readonly deliveryId: string;
}

/**
 * Flow 1 of the design: verify the connector's signature, dedupe by delivery id, publish
 * `webhook.received`, and only then acknowledge. Nothing is acknowledged that Kafka has not.
 */
export class WebhookIntakeService {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly sources: WebhookSourceStore,
    private readonly dedupe: DeliveryDeduplicator,
    private readonly publisher: EventPublisher,
    private readonly publishTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async accept(connectorName: string, sourceId: string, webhook: IncomingWebhook): Promise<IntakeResult> {
    const connector = this.connectors.get(connectorName);
    if (!connector?.verifyWebhook || !connector.describe().canWebhook) throw new DomainError('unknown_connector', { connector: connectorName });
    const source = await this.sources.findActive(connectorName, sourceId);
    if (!source) throw new DomainError('webhook_source_not_found', { connector: connectorName, sourceId });
    requestContext.assign({ tenantId: source.tenantId });

    const verified = connector.verifyWebhook(webhook, source.secrets);
    // What we acknowledge, the worker must be able to store: run its normalisation and the
    // database's rules now, so a delivery that could never be written is a 400, not a lost 202.
    assertStorableEvents(connector.normalizeWebhook?.({ tenantId: source.tenantId, sourceId, deliveryId: verified.deliveryId, body: verified.body }) ?? []);
    const dedupeKey = `webhook:delivery:${compositeKey(connectorName, sourceId, verified.deliveryId)}`;
    const claim = await this.dedupe.claim(dedupeKey);
    if (claim === 'duplicate') {
      this.logger.info({ deliveryId: verified.deliveryId }, 'duplicate delivery acknowledged');
      return { status: 'duplicate', deliveryId: verified.deliveryId };
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
    const message = { topic: Topic.WebhookReceived, key: MessageKey.webhook(source.tenantId, `${connectorName}/${sourceId}`, verified.accountKey), headers: toKafkaHeaders(event), value: JSON.stringify(payload) };
    try {
      await this.publisher.publish([message], { timeoutMs: this.publishTimeoutMs });
    } catch (error) {
      await this.dedupe.release(dedupeKey);
      this.logger.error({ err: (error as Error).message, deliveryId: verified.deliveryId }, 'kafka did not acknowledge the delivery');
      throw new DomainError('dependency_unavailable', { dependency: 'Kafka', retryAfterSeconds: 5 }, undefined, { cause: error });
    }
    await this.dedupe.complete(dedupeKey);
    this.logger.info({ deliveryId: verified.deliveryId, connector: connectorName, sourceId }, 'delivery accepted');
    return { status: 'accepted', deliveryId: verified.deliveryId };
  }
}

export function deliveryCloudEventId(connector: string, sourceId: string, deliveryId: string): string {
  return createHash('sha256').update(`${connector}\n${sourceId}\n${deliveryId}`).digest('hex').slice(0, 32);
}
