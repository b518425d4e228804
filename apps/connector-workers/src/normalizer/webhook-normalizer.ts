import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountLinkRecorder, ConnectorRegistry, LinkConfirmation } from '@activity/connectors';
import { assertStorableEvents, DomainError, type NewActivityEvent } from '@activity/domain';
import { announceFeedUpdates, MalformedMessageError, type InboundMessage, type Topic } from '@activity/messaging';
import { inTenantTransaction, type AccountLinkClaimStore, type AccountLinkStore, type ActivityEventStore, type OutboxStore } from '@activity/persistence';
import { Histogram } from 'prom-client';
import { childTraceparent, metricsRegistry } from '@activity/observability';

const ingestToStore = new Histogram({
  name: 'webhook_ingest_to_store_seconds',
  help: 'From ingest-gateway accepting a webhook to its events being stored (the first half of webhook-to-feed freshness)',
  labelNames: ['connector'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

/**
 * Flow 2: a verified delivery becomes activity events. Events and their `feed.updated` outbox
 * rows commit in one transaction; a redelivered message inserts nothing (unique source event
 * id) and therefore announces nothing twice.
 */
export class WebhookNormalizer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly events: ActivityEventStore,
    private readonly links: AccountLinkStore,
    private readonly outbox: OutboxStore,
    private readonly claims: AccountLinkClaimStore,
    private readonly recorder: AccountLinkRecorder,
    private readonly logger: Logger,
  ) {}

  async handle(message: InboundMessage<typeof Topic.WebhookReceived>): Promise<void> {
    const { payload, event } = message;
    const connector = this.connectors.get(payload.connector);
    if (!connector?.normalizeWebhook) throw new MalformedMessageError('unknown_connector', `no connector "${payload.connector}" normalises webhooks`);
    let normalized;
    let confirmation: LinkConfirmation | null = null;
    try {
      const delivery = { tenantId: event.tenantId, sourceId: payload.sourceId, deliveryId: payload.deliveryId, body: payload.body };
      normalized = connector.normalizeWebhook(delivery);
      confirmation = connector.linkConfirmation?.(delivery) ?? null;
      // The gateway checked the same rules before acknowledging; this catches older or foreign producers.
      assertStorableEvents(normalized);
    } catch (error) {
      if (error instanceof DomainError) throw new MalformedMessageError('invalid_delivery', `${error.code}: ${JSON.stringify(error.details ?? error.params)}`);
      throw error;
    }

    const inserted = await inTenantTransaction(this.dataSource, event.tenantId, async (manager) => {
      if (confirmation) await this.confirmLink(manager, event.tenantId, payload.connector, confirmation);
      const owners = new Map<string, string | null>();
      for (const item of normalized) {
        if (!owners.has(item.externalAccountId)) owners.set(item.externalAccountId, await this.links.findUserId(manager, event.tenantId, item.source, item.externalAccountId));
      }
      const rows: NewActivityEvent[] = normalized.map(({ externalAccountId, ...rest }) => ({ ...rest, tenantId: event.tenantId, userId: owners.get(externalAccountId) ?? null }));
      const created = await this.events.insertNew(manager, rows);
      await this.outbox.enqueue(manager, announceFeedUpdates(event.tenantId, created, { source: '/connector-workers', traceparent: childTraceparent() }));
      return created;
    });
    ingestToStore.observe({ connector: payload.connector }, Math.max(0, (Date.now() - Date.parse(payload.receivedAt)) / 1000));
    this.logger.info({ deliveryId: payload.deliveryId, created: inserted.length, duplicates: normalized.length - inserted.length }, 'delivery normalised');
  }

  /**
   * The platform showed us a link code for this identity: the claim it matches (made for exactly
   * this identity, not expired, used once) becomes a link. A wrong or stale code does nothing.
   */
  private async confirmLink(manager: EntityManager, tenantId: string, provider: string, confirmation: LinkConfirmation): Promise<void> {
    const claim = await this.claims.take(manager, tenantId, provider, confirmation.code, confirmation.externalAccountId);
    const link = claim && (await this.recorder.create(manager, { tenantId, userId: claim.userId, provider, externalId: confirmation.externalAccountId }));
    const outcome = !claim ? 'no_matching_claim' : link ? 'linked' : 'already_linked';
    this.logger.info({ provider, externalId: confirmation.externalAccountId, outcome }, 'link code confirmed by the platform');
  }
}
