import type { EntityManager } from 'typeorm';
import { announce, MessageKey, Topic, type OutboxAnnouncement } from '@activity/messaging';
import type { AccountLink, AccountLinkStore, OutboxStore } from '@activity/persistence';
import { childTraceparent } from '@activity/observability';

/** The first sync starts from account.linked; the scheduler is the fallback if it never happens. */
const FIRST_SYNC_GRACE_SECONDS = 600;

/**
 * Creates and revokes account links together with their `account.linked` announcement, in the
 * caller's tenant transaction. Used wherever a link comes into being: the accounts API (admin
 * links, OpenID callbacks) and the worker that sees a player confirm a link code in game.
 */
export class AccountLinkRecorder {
  constructor(
    private readonly links: AccountLinkStore,
    private readonly outbox: OutboxStore,
    private readonly source: string,
  ) {}

  /** The new link, or null when this identity is already linked in the tenant. */
  async create(manager: EntityManager, link: { tenantId: string; userId: string; provider: string; externalId: string; displayName?: string }): Promise<AccountLink | null> {
    const created = await this.links.insert(manager, link, FIRST_SYNC_GRACE_SECONDS);
    if (created) await this.outbox.enqueue(manager, [this.announcement(created, 'active')]);
    return created;
  }

  async revoke(manager: EntityManager, link: AccountLink): Promise<void> {
    await this.links.revoke(manager, link.tenantId, link.id);
    await this.outbox.enqueue(manager, [this.announcement(link, 'revoked')]);
  }

  private announcement(link: AccountLink, status: 'active' | 'revoked'): OutboxAnnouncement {
    return announce(
      Topic.AccountLinked,
      link.tenantId,
      MessageKey.user(link.tenantId, link.userId),
      { tenantId: link.tenantId, userId: link.userId, accountLinkId: link.id, provider: link.provider, externalId: link.externalId, status },
      { source: this.source, subject: link.userId, traceparent: childTraceparent() },
    );
  }
}
