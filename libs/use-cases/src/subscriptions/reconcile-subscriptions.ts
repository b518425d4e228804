import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { SubscriptionIntake, SyncLink, UpstreamSubscription } from '@activity/connector-sdk';
import { metricsRegistry } from '@activity/observability';
import { inTenantTransaction, type AccountLink, type AccountLinkStore, type TenantWebhookSourceStore, type UpstreamSubscriptionStore } from '@activity/persistence';
import type { ConnectorRegistry } from '../connectors/connector-registry';

const reconciledSubscriptions = new Counter({
  name: 'upstream_subscriptions_reconciled_total',
  help: 'Push subscriptions seen by reconciles, by connector, kind and status afterwards',
  labelNames: ['connector', 'kind', 'status'] as const,
  registers: [metricsRegistry],
});

/**
 * Keeps each link's push subscriptions (Twitch EventSub, YouTube WebSub) alive: on every run of
 * the link the connector creates what is missing or revoked and renews leases about to end, and
 * the outcome is stored (`upstream_subscriptions`), with a revoked or failed one named on the
 * link. When a link is revoked its subscriptions are removed at the platform.
 */
export class ReconcileSubscriptions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly subscriptions: UpstreamSubscriptionStore,
    private readonly sources: TenantWebhookSourceStore,
    private readonly links: AccountLinkStore,
    private readonly webhookBaseUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Answers what the platform holds for the link now; throws when the platform cannot be reached (the run fails and is retried). */
  async reconcile(link: AccountLink, syncLink: SyncLink): Promise<UpstreamSubscription[]> {
    const lifecycle = this.connectors.get(link.provider)?.runtime.subscriptions;
    if (!lifecycle) return [];
    const { intake, known } = await inTenantTransaction(this.dataSource, link.tenantId, async (tx) => ({
      intake: await this.sources.intakeOf(tx, link.provider),
      known: (await this.subscriptions.listForLink(tx, link.id)).filter((row) => row.status !== 'removing'),
    }));
    if (!intake) throw new Error(`no active ${link.provider} webhook source in this tenant: a tenant admin creates one (POST /v2/webhook-sources) for the platform to deliver to`);
    const stored = { id: link.id, connector: link.provider, sourceId: intake.sourceId };
    const knownSubscriptions = known.map((row): UpstreamSubscription => ({
      id: row.upstreamId,
      kind: row.kind,
      status: row.status as UpstreamSubscription['status'],
      ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
    }));
    // Stored before asking, so a platform verifying intent during the request finds what we asked for.
    const planned = lifecycle.plan?.(syncLink, knownSubscriptions) ?? [];
    const settledAfter = planned.length
      ? await inTenantTransaction(this.dataSource, link.tenantId, (tx) =>
          this.subscriptions.plan(
            tx,
            stored,
            planned.map((subscription) => toRow(subscription)),
          ),
        )
      : undefined;
    const current = await lifecycle.ensure(syncLink, this.intake(link.provider, intake), knownSubscriptions);
    // What is stored afterwards is the answer: the platform may have settled a subscription while it was asked for.
    const now = await inTenantTransaction(this.dataSource, link.tenantId, async (tx) => {
      await this.subscriptions.replaceForLink(
        tx,
        stored,
        current.map((subscription) => toRow(subscription)),
        settledAfter,
      );
      return (await this.subscriptions.listForLink(tx, link.id)).map((row): UpstreamSubscription => ({
        id: row.upstreamId,
        kind: row.kind,
        status: row.status === 'removing' ? 'enabled' : row.status,
        ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
        ...(row.reason ? { reason: row.reason } : {}),
      }));
    });
    for (const subscription of now) reconciledSubscriptions.inc({ connector: link.provider, kind: subscription.kind, status: subscription.status });
    return now;
  }

  /** The link was revoked: its subscriptions are deleted at the platform, then here. One that cannot be removed stays as `removing` (and is logged). */
  async removeAll(tenantId: string, accountLinkId: string): Promise<void> {
    const found = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const link = await this.links.get(tx, accountLinkId);
      const lifecycle = link && this.connectors.get(link.provider)?.runtime.subscriptions;
      if (!link || !lifecycle) return null;
      const rows = await this.subscriptions.listForLink(tx, accountLinkId);
      await this.subscriptions.markRemoving(tx, accountLinkId);
      return { link, lifecycle, rows, intake: rows.length ? await this.sources.intakeOf(tx, link.provider) : null };
    });
    if (!found) return;
    const { link, lifecycle, rows, intake } = found;
    const syncLink: SyncLink = { id: link.id, tenantId, userId: link.userId, externalId: link.externalId };
    for (const row of rows) {
      try {
        await lifecycle.remove(syncLink, intake ? this.intake(link.provider, intake) : null, {
          id: row.upstreamId,
          kind: row.kind,
          status: row.status === 'removing' ? 'enabled' : row.status,
        });
        await inTenantTransaction(this.dataSource, tenantId, (tx) => this.subscriptions.deleteOne(tx, accountLinkId, row.kind));
      } catch (error) {
        this.logger.warn({ accountLinkId, kind: row.kind, err: (error as Error).message }, 'a push subscription could not be removed at the platform');
      }
    }
  }

  private intake(connector: string, intake: { sourceId: string; secret: string }): SubscriptionIntake {
    return { sourceId: intake.sourceId, secret: intake.secret, callbackUrl: `${this.webhookBaseUrl.replace(/\/$/, '')}/v1/webhooks/${connector}/${intake.sourceId}` };
  }
}

function toRow(subscription: UpstreamSubscription): { kind: string; upstreamId: string; status: UpstreamSubscription['status']; expiresAt?: Date; reason?: string } {
  return {
    kind: subscription.kind,
    upstreamId: subscription.id,
    status: subscription.status,
    ...(subscription.expiresAt ? { expiresAt: subscription.expiresAt } : {}),
    ...(subscription.reason ? { reason: subscription.reason } : {}),
  };
}
