import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { announce, MessageKey, Topic, type SyncRequestedV1 } from '@activity/messaging';
import { childTraceparent, metricsRegistry } from '@activity/observability';
import { AccountLinkStore, DATA_SOURCE, inTenantTransaction, OutboxStore, SyncRunStore } from '@activity/persistence';
import { LOGGER } from '@activity/platform';
import { RecordActivity } from '../activity/record-activity';
import { ConnectorRegistry } from '../connectors/connector-registry';
import { ReconcileSubscriptions } from '../subscriptions/reconcile-subscriptions';

const syncRuns = new Counter({
  name: 'sync_runs_total',
  help: 'Account sync runs by connector and outcome (succeeded, private, failed, skipped)',
  labelNames: ['connector', 'outcome'] as const,
  registers: [metricsRegistry],
});

const SOURCE = '/connector-workers/sync';

/**
 * Run a sync (flow 3): one sync run of one account link. The run is recorded in sync_runs (at most one running
 * per link); the connector pulls; events, their feed.updated announcements, the link's new state
 * and sync.completed commit together. A link revoked while its sync was in flight keeps nothing.
 */
@Injectable()
export class RunSync {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(RecordActivity) private readonly activity: RecordActivity,
    @Inject(SyncRunStore) private readonly runs: SyncRunStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(ReconcileSubscriptions) private readonly subscriptions?: ReconcileSubscriptions,
  ) {}

  /**
   * A batch of requests (one partition's, in order): different links sync concurrently, so their
   * upstream calls can share requests (Steam's profiles go 100 to a call) and the shared rate
   * limit is kept busy; requests for the same link run one after another, in order. Fails with
   * the first failure once every sync has finished (the consumer then retries them one by one;
   * a repeated sync inserts nothing twice).
   */
  async runMany(requests: readonly SyncRequestedV1[]): Promise<void> {
    const byLink = new Map<string, SyncRequestedV1[]>();
    for (const request of requests) {
      const same = byLink.get(request.accountLinkId);
      if (same) same.push(request);
      else byLink.set(request.accountLinkId, [request]);
    }
    const results = await Promise.allSettled(
      [...byLink.values()].map(async (sameLink) => {
        for (const request of sameLink) await this.run(request);
      }),
    );
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async run(request: SyncRequestedV1): Promise<void> {
    const { tenantId, accountLinkId, trigger } = request;
    const started = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const link = await this.links.get(manager, accountLinkId);
      if (!link || link.status === 'revoked') return { skip: 'link revoked or unknown' as const };
      const connector = this.connectors.get(link.provider)?.runtime.sync;
      if (!connector) return { skip: `connector ${link.provider} cannot sync` as const };
      const runId = await this.runs.start(manager, { tenantId, accountLinkId, connector: link.provider, trigger }, 15 * 60);
      if (!runId) return { skip: 'another sync of this link is running' as const };
      return { link, connector, runId };
    });
    if ('skip' in started) {
      this.logger.info({ accountLinkId, reason: started.skip }, 'sync skipped');
      return;
    }
    const { link, connector, runId } = started;
    const provider = link.provider;

    let result;
    // Push subscriptions (if the connector has any) are part of the run: a run keeps them alive.
    let subscriptionProblem: string | null = null;
    try {
      const syncLink = { id: link.id, tenantId, userId: link.userId, externalId: link.externalId };
      result = await connector.run(syncLink, link.syncState);
      if (this.subscriptions && this.connectors.get(provider)?.runtime.subscriptions) {
        // What the pull brought is kept even when subscribing fails (no source yet, the platform down): the link says why.
        try {
          const broken = (await this.subscriptions.reconcile(link, syncLink)).find((subscription) => subscription.status === 'revoked' || subscription.status === 'failed');
          if (broken) subscriptionProblem = `${broken.kind} subscription ${broken.status}${broken.reason ? `: ${broken.reason}` : ''}`;
        } catch (error) {
          subscriptionProblem = `push subscriptions not kept: ${(error as Error).message}`.slice(0, 500);
          this.logger.warn({ accountLinkId, err: (error as Error).message }, 'push subscriptions could not be reconciled');
        }
      }
    } catch (error) {
      const message = (error as Error).message;
      await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
        await this.runs.finish(manager, runId, { status: 'failed', eventsCreated: 0, apiCalls: 0, error: message });
        await this.links.recordFailure(manager, link.id, message);
        await this.outbox.enqueue(manager, [this.completed(tenantId, link.id, runId, provider, 'failed', 0, message)]);
      });
      syncRuns.inc({ connector: provider, outcome: 'failed' });
      this.logger.warn({ accountLinkId, err: message }, 'sync failed');
      return;
    }

    const outcome = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const current = await this.links.get(manager, link.id, { lock: true });
      if (!current || current.status === 'revoked') {
        await this.runs.finish(manager, runId, { status: 'skipped', eventsCreated: 0, apiCalls: result.apiCalls, error: 'revoked during sync' });
        await this.outbox.enqueue(manager, [this.completed(tenantId, link.id, runId, provider, 'skipped', 0, 'revoked during sync')]);
        return 'skipped' as const;
      }
      // The sync pulled this link's account: its events belong to the link's owner.
      const created = await this.activity.record(
        manager,
        result.events.map(({ externalAccountId: _account, ...event }) => ({ ...event, userId: link.userId })),
        SOURCE,
      );
      const status = result.outcome === 'private' ? 'private' : 'active';
      await this.links.recordSync(manager, link.id, {
        state: result.state,
        status,
        reason: result.outcome === 'private' ? 'the profile or its game details are not public' : subscriptionProblem,
      });
      await this.runs.finish(manager, runId, { status: 'succeeded', eventsCreated: created.length, apiCalls: result.apiCalls });
      await this.outbox.enqueue(manager, [this.completed(tenantId, link.id, runId, provider, 'succeeded', created.length)]);
      return result.outcome === 'private' ? ('private' as const) : ('succeeded' as const);
    });
    syncRuns.inc({ connector: provider, outcome });
    this.logger.info({ accountLinkId, outcome, events: result.events.length, apiCalls: result.apiCalls }, 'sync finished');
  }

  private completed(
    tenantId: string,
    accountLinkId: string,
    syncRunId: string,
    connector: string,
    status: 'succeeded' | 'failed' | 'skipped',
    eventsCreated: number,
    error?: string,
  ) {
    return announce(
      Topic.SyncCompleted,
      tenantId,
      MessageKey.accountLink(tenantId, accountLinkId),
      { tenantId, accountLinkId, syncRunId, connector, status, eventsCreated, ...(error ? { error: error.slice(0, 500) } : {}) },
      { source: SOURCE, subject: accountLinkId, traceparent: childTraceparent() },
    );
  }
}
