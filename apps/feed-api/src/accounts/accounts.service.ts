import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Principal } from '@activity/auth';
import type { ConnectorRegistry } from '@activity/connectors';
import { DomainError } from '@activity/domain';
import { announce, MessageKey, Topic } from '@activity/messaging';
import { inTenantTransaction, type AccountLink, type AccountLinkStore, type OutboxStore, type SyncRun, type SyncRunStore } from '@activity/persistence';
import { childTraceparent } from '@activity/platform';

const FIRST_SYNC_GRACE_SECONDS = 600;

export interface AccountView {
  id: string;
  provider: string;
  externalId: string;
  displayName: string | null;
  status: string;
  statusReason: string | null;
  lastSyncedAt: string | null;
  createdAt: string;
}

/** Account links of the calling player: link, list, revoke, sync now, sync history. */
export class AccountsService {
  private readonly manualSyncs = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly links: AccountLinkStore,
    private readonly runs: SyncRunStore,
    private readonly outbox: OutboxStore,
    private readonly redis: Redis | null,
    private readonly manualSyncCooldownSeconds: number,
  ) {}

  async list(principal: Principal): Promise<AccountView[]> {
    return (await this.links.listForUser(principal.tenantId, principal.userId)).map(view);
  }

  /** Validates and resolves the input with the connector, then stores the link and `account.linked` together. */
  async link(principal: Principal, provider: string, account: string): Promise<AccountView> {
    const connector = this.connectors.get(provider);
    if (!connector?.linkAccount) throw new DomainError('dependency_unavailable', { dependency: `${provider} linking`, retryAfterSeconds: 60 });
    const identity = await connector.linkAccount({ account });
    return inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      const link = await this.links.insert(
        manager,
        { tenantId: principal.tenantId, userId: principal.userId, provider, externalId: identity.externalId, ...(identity.displayName ? { displayName: identity.displayName } : {}) },
        // The first sync starts from account.linked; the scheduler is the fallback if it never happens.
        FIRST_SYNC_GRACE_SECONDS,
      );
      if (!link) throw new DomainError('account_already_linked', { provider: connector.describe().displayName });
      await this.outbox.enqueue(manager, [this.linked(link, 'active')]);
      return view(link);
    });
  }

  /** Revokes: syncing stops, and `account.linked` with status `revoked` tells the platform. */
  async revoke(principal: Principal, id: string): Promise<void> {
    await inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      const link = await this.own(manager, principal, id, true);
      await this.links.revoke(manager, principal.tenantId, id);
      await this.outbox.enqueue(manager, [this.linked(link, 'revoked')]);
    });
  }

  /** Enqueues a sync now; once per link per cooldown (shared across instances through Redis). */
  async syncNow(principal: Principal, id: string): Promise<{ status: 'queued' }> {
    await inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      const link = await this.own(manager, principal, id);
      if (!this.connectors.get(link.provider)?.describe().canSync) throw new DomainError('validation_failed', {}, [{ field: 'id', rule: 'canSync', message: `${link.provider} accounts are not synced` }]);
      await this.takeCooldown(id);
      await this.outbox.enqueue(manager, [
        announce(Topic.SyncRequested, principal.tenantId, MessageKey.accountLink(principal.tenantId, id), { tenantId: principal.tenantId, accountLinkId: id, trigger: 'manual' }, {
          source: '/feed-api',
          subject: id,
          traceparent: childTraceparent(),
        }),
      ]);
    });
    return { status: 'queued' };
  }

  async syncRuns(principal: Principal, id: string): Promise<SyncRun[]> {
    return inTenantTransaction(this.dataSource, principal.tenantId, async (manager) => {
      await this.own(manager, principal, id);
      return this.runs.listForLink(manager, principal.tenantId, id, 20);
    });
  }

  private async own(manager: Parameters<AccountLinkStore['get']>[0], principal: Principal, id: string, lock = false): Promise<AccountLink> {
    const link = await this.links.get(manager, principal.tenantId, id, { lock });
    // Someone else's link is "not found", the same as no link: ids reveal nothing.
    if (!link || link.userId !== principal.userId || link.status === 'revoked') throw new DomainError('not_found', { path: `account ${id}` });
    return link;
  }

  private async takeCooldown(id: string): Promise<void> {
    const seconds = this.manualSyncCooldownSeconds;
    if (this.redis) {
      const taken = await this.redis.set(`sync:manual:${id}`, '1', 'EX', seconds, 'NX');
      if (taken !== 'OK') throw new DomainError('rate_limited', { retryAfterSeconds: Math.max(1, await this.redis.ttl(`sync:manual:${id}`)) });
      return;
    }
    const until = this.manualSyncs.get(id) ?? 0;
    if (until > Date.now()) throw new DomainError('rate_limited', { retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) });
    this.manualSyncs.set(id, Date.now() + seconds * 1000);
  }

  private linked(link: AccountLink, status: 'active' | 'revoked') {
    return announce(
      Topic.AccountLinked,
      link.tenantId,
      MessageKey.user(link.tenantId, link.userId),
      { tenantId: link.tenantId, userId: link.userId, accountLinkId: link.id, provider: link.provider, externalId: link.externalId, status },
      { source: '/feed-api', subject: link.userId, traceparent: childTraceparent() },
    );
  }
}

function view(link: AccountLink): AccountView {
  return {
    id: link.id,
    provider: link.provider,
    externalId: link.externalId,
    displayName: link.displayName,
    status: link.status,
    statusReason: link.statusReason,
    lastSyncedAt: link.lastSyncedAt?.toISOString() ?? null,
    createdAt: link.createdAt.toISOString(),
  };
}
