import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  shapeOf,
  UnmappableDeliveryError,
  type EventRetraction,
  type LinkConfirmation,
  type LinkRevocation,
  type NormalizeContext,
  type NormalizedEvent,
  type SubscriptionRevocation,
  type WebhookSourceSettings,
} from '@activity/connector-sdk';
import { assertStorableEvents, DomainError } from '@activity/domain';
import { MalformedMessageError, type CloudEventAttributes, type WebhookReceivedV1 } from '@activity/messaging';
import { metricsRegistry } from '@activity/observability';
import {
  AccountLinkClaimStore,
  AccountLinkStore,
  ActivityEventStore,
  DATA_SOURCE,
  UpstreamSubscriptionStore,
  inTenantTransaction,
  WebhookSourceMappingStore,
  type TenantTransaction,
} from '@activity/persistence';
import { LOGGER } from '@activity/platform';
import { RecordActivity } from '../activity/record-activity';
import { ConnectorRegistry } from '../connectors/connector-registry';
import { LinkAccount } from '../linking/link-account';

const SOURCE = '/connector-workers';

const ingestToStore = new Histogram({
  name: 'webhook_ingest_to_store_seconds',
  help: 'From ingest-gateway accepting a webhook to its events being stored (the first half of webhook-to-feed freshness)',
  labelNames: ['connector'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

/**
 * Flow 2: a verified delivery becomes activity events, recorded with their announcements in one
 * tenant transaction; a delivery that proves ownership of an identity (a link code shown on the
 * platform) links it in the same transaction.
 */
@Injectable()
export class IngestDelivery {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
    @Inject(RecordActivity) private readonly activity: RecordActivity,
    @Inject(AccountLinkClaimStore) private readonly claims: AccountLinkClaimStore,
    @Inject(LinkAccount) private readonly linking: LinkAccount,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(WebhookSourceMappingStore) private readonly mapping: WebhookSourceMappingStore,
    @Inject(UpstreamSubscriptionStore) private readonly subscriptions: UpstreamSubscriptionStore,
    @Inject(ActivityEventStore) private readonly events: ActivityEventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(payload: WebhookReceivedV1, event: CloudEventAttributes): Promise<void> {
    await this.handleBatch([{ payload, event }]);
  }

  /**
   * Many deliveries (one partition's, in order) in one transaction per tenant: the per-event cost
   * of a commit, a link lookup and an announcement is paid once per batch. Events are recorded in
   * delivery order; a delivery that confirms a link first flushes the events before it, so an
   * event lands in a feed only if its link existed when the delivery came, as one at a time.
   * A malformed delivery fails the whole batch (the consumer then takes it message by message
   * and dead-letters only that one); a retried batch inserts nothing twice (unique source ids).
   */
  async handleBatch(deliveries: ReadonlyArray<{ payload: WebhookReceivedV1; event: CloudEventAttributes }>): Promise<void> {
    const settings = await this.sourceSettings(deliveries);
    const prepared: Array<{
      payload: WebhookReceivedV1;
      event: CloudEventAttributes;
      normalized: NormalizedEvent[];
      confirmation: LinkConfirmation | null;
      revocation: LinkRevocation | null;
      ended: SubscriptionRevocation | null;
      retracted: EventRetraction[];
      unmatched: boolean;
    }> = [];
    for (const { payload, event } of deliveries) prepared.push({ payload, event, ...(await this.normalize(payload, event, settings)) });
    const tenants = new Map<string, typeof prepared>();
    for (const delivery of prepared) {
      const same = tenants.get(delivery.event.tenantId);
      if (same) same.push(delivery);
      else tenants.set(delivery.event.tenantId, [delivery]);
    }

    for (const [tenantId, batch] of tenants) {
      const inserted = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
        let created = 0;
        let pending: NormalizedEvent[] = [];
        for (const { payload, normalized, confirmation, revocation, ended, retracted, unmatched } of batch) {
          if (ended) await this.markSubscriptionRevoked(tx, payload.connector, ended);
          if (retracted.length) {
            // In delivery order: what came before the withdrawal is stored first, then removed with the rest.
            created += (await this.activity.recordForAccounts(tx, pending, SOURCE)).length;
            pending = [];
            for (const retraction of retracted) {
              const removed = await this.activity.retract(tx, payload.connector, retraction.sourceEventIds, SOURCE);
              this.logger.info({ provider: payload.connector, reason: retraction.reason, removed }, 'events withdrawn by the platform');
            }
          }
          if (unmatched) await this.mapping.recordUnmatched(tx, payload.connector, payload.sourceId, unmatchedSample(payload));
          if (confirmation || revocation) {
            created += (await this.activity.recordForAccounts(tx, pending, SOURCE)).length;
            pending = [];
            if (confirmation) await this.confirmLink(tx, tenantId, payload.connector, confirmation);
            if (revocation) await this.revokeLink(tx, payload.connector, revocation);
          }
          pending.push(...normalized);
        }
        return created + (await this.activity.recordForAccounts(tx, pending, SOURCE)).length;
      });
      const now = Date.now();
      for (const { payload } of batch) ingestToStore.observe({ connector: payload.connector }, Math.max(0, (now - Date.parse(payload.receivedAt)) / 1000));
      const events = batch.reduce((sum, delivery) => sum + delivery.normalized.length, 0);
      this.logger.info(
        batch.length === 1
          ? { deliveryId: batch[0]!.payload.deliveryId, created: inserted, duplicates: events - inserted }
          : { tenantId, deliveries: batch.length, created: inserted, duplicates: events - inserted },
        batch.length === 1 ? 'delivery normalised' : 'deliveries normalised',
      );
    }
  }

  /**
   * The settings of the sources whose scheme maps after intake (custom sources' rules), read in
   * each tenant's transaction: the rules that apply are the ones saved when the delivery is mapped.
   */
  private async sourceSettings(deliveries: ReadonlyArray<{ payload: WebhookReceivedV1; event: CloudEventAttributes }>): Promise<Map<string, WebhookSourceSettings | null>> {
    const wanted = new Map<string, Map<string, { connector: string; sourceId: string }>>();
    for (const { payload, event } of deliveries) {
      if (!this.connectors.get(payload.connector)?.runtime.webhook?.mapsAfterIntake) continue;
      const perTenant = wanted.get(event.tenantId) ?? new Map<string, { connector: string; sourceId: string }>();
      perTenant.set(sourceKey(event.tenantId, payload.connector, payload.sourceId), { connector: payload.connector, sourceId: payload.sourceId });
      wanted.set(event.tenantId, perTenant);
    }
    const settings = new Map<string, WebhookSourceSettings | null>();
    for (const [tenantId, sources] of wanted) {
      await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
        for (const [key, { connector, sourceId }] of sources) settings.set(key, await this.mapping.settingsOf(tx, connector, sourceId));
      });
    }
    return settings;
  }

  private async normalize(
    payload: WebhookReceivedV1,
    event: CloudEventAttributes,
    settings: ReadonlyMap<string, WebhookSourceSettings | null>,
  ): Promise<{
    normalized: NormalizedEvent[];
    confirmation: LinkConfirmation | null;
    revocation: LinkRevocation | null;
    ended: SubscriptionRevocation | null;
    retracted: EventRetraction[];
    unmatched: boolean;
  }> {
    const webhook = this.connectors.get(payload.connector)?.runtime.webhook;
    if (!webhook) throw new MalformedMessageError('unknown_connector', `no connector "${payload.connector}" normalises webhooks`);
    const sourceSettings = settings.get(sourceKey(event.tenantId, payload.connector, payload.sourceId));
    if (webhook.mapsAfterIntake && !sourceSettings)
      throw new MalformedMessageError('unknown_source', `webhook source ${payload.connector}/${payload.sourceId} no longer exists in tenant ${event.tenantId}`);
    try {
      const delivery = {
        tenantId: event.tenantId,
        sourceId: payload.sourceId,
        deliveryId: payload.deliveryId,
        body: payload.body,
        receivedAt: payload.receivedAt,
        ...(sourceSettings ? { settings: sourceSettings } : {}),
      };
      const normalized = await webhook.normalize(delivery, this.contextFor(event.tenantId, payload.connector));
      const confirmation = webhook.linkConfirmation?.(delivery) ?? null;
      const revocation = webhook.linkRevocation?.(delivery) ?? null;
      const ended = webhook.subscriptionRevocation?.(delivery) ?? null;
      const retracted = webhook.retractions?.(delivery) ?? [];
      // The gateway checked the same rules before acknowledging; this catches older or foreign producers.
      assertStorableEvents(normalized);
      return { normalized, confirmation, revocation, ended, retracted, unmatched: Boolean(webhook.mapsAfterIntake) && normalized.length === 0 };
    } catch (error) {
      if (error instanceof DomainError) throw new MalformedMessageError('invalid_delivery', `${error.code}: ${JSON.stringify(error.details ?? error.params)}`);
      // A source's own rules failed on this delivery (an error, a timeout, an output that is no event): dead-letter it with the reason.
      if (error instanceof UnmappableDeliveryError) throw new MalformedMessageError('mapping_failed', error.message);
      throw error;
    }
  }

  /**
   * The platform showed us a link code for this identity: the claim it matches (made for exactly
   * this identity, not expired, used once) becomes a link. A wrong or stale code does nothing.
   */
  private async confirmLink(tx: TenantTransaction, tenantId: string, provider: string, confirmation: LinkConfirmation): Promise<void> {
    const claim = await this.claims.take(tx, provider, confirmation.code, confirmation.externalAccountId);
    const link = claim && (await this.linking.create(tx, { tenantId, userId: claim.userId, provider, externalId: confirmation.externalAccountId }, SOURCE));
    const outcome = !claim ? 'no_matching_claim' : link ? 'linked' : 'already_linked';
    this.logger.info({ provider, externalId: confirmation.externalAccountId, outcome }, 'link code confirmed by the platform');
  }

  /** Lets a connector look back at an account's latest event of a type (in the delivery's tenant, for the linked owner). */
  private contextFor(tenantId: string, provider: string): NormalizeContext {
    return {
      latestEvent: (type, externalAccountId) =>
        inTenantTransaction(this.dataSource, tenantId, async (tx) => {
          const userId = await this.links.findUserId(tx, provider, externalAccountId);
          return userId ? this.events.latestOfType(tx, userId, type) : null;
        }),
    };
  }

  /** The platform ended a push subscription: mark it, and say so on its link (the next run creates it again). */
  private async markSubscriptionRevoked(tx: TenantTransaction, provider: string, ended: SubscriptionRevocation): Promise<void> {
    const row = await this.subscriptions.markRevoked(tx, provider, ended.subscriptionId, ended.reason);
    if (row) await this.links.recordFailure(tx, row.accountLinkId, `${row.kind} subscription revoked by ${provider}: ${ended.reason}`);
    this.logger.info({ provider, subscriptionId: ended.subscriptionId, reason: ended.reason, known: Boolean(row) }, 'push subscription revoked by the platform');
  }

  /**
   * The player withdrew our access on the platform: their live link of that identity is revoked
   * (with `account.linked` revoked), unless it was made after the withdrawal (they linked again;
   * an old delivery, retried or replayed, must not undo that).
   */
  private async revokeLink(tx: TenantTransaction, provider: string, revocation: LinkRevocation): Promise<void> {
    const link = await this.links.findLive(tx, provider, revocation.externalAccountId);
    const outcome = !link ? 'no_live_link' : link.createdAt > revocation.at ? 'linked_again_since' : 'revoked';
    if (link && outcome === 'revoked') await this.linking.revoke(tx, link, SOURCE, revocation.reason);
    this.logger.info({ provider, externalId: revocation.externalAccountId, outcome }, 'access withdrawn on the platform');
  }
}

function sourceKey(tenantId: string, connector: string, sourceId: string): string {
  return `${tenantId}\n${connector}\n${sourceId}`;
}

/** What the source's admin sees of a delivery its rules mapped to nothing: ids, time and the body's shape, never its values. */
function unmatchedSample(payload: WebhookReceivedV1): Record<string, unknown> {
  const envelope = payload.body as { headers?: Record<string, unknown>; body?: unknown };
  return {
    deliveryId: payload.deliveryId,
    at: payload.receivedAt,
    headers: Object.keys(envelope.headers ?? {}).sort(),
    shape: shapeOf('body' in envelope ? envelope.body : payload.body),
  };
}
