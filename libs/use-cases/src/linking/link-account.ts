import { Inject, Injectable } from '@nestjs/common';
import { announce, MessageKey, Topic, type OutboxAnnouncement } from '@activity/messaging';
import { childTraceparent } from '@activity/observability';
import { AccountLinkStore, OutboxStore, type AccountLink, type TenantTransaction } from '@activity/persistence';

/** The first sync starts from account.linked; the scheduler is the fallback if it never happens. */
const FIRST_SYNC_GRACE_SECONDS = 600;

export interface NewLink {
  readonly tenantId: string;
  readonly userId: string;
  readonly provider: string;
  readonly externalId: string;
  readonly displayName?: string;
}

/**
 * Link an account: creates and revokes account links together with their `account.linked`
 * announcement, in the caller's tenant transaction. Used wherever a link comes into being: the
 * accounts API (admin links, OpenID and OAuth2 callbacks) and the worker that sees a player
 * confirm a link code on the platform.
 */
@Injectable()
export class LinkAccount {
  constructor(
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
  ) {}

  /** The new link, or null when this identity is already linked in the tenant. `source` is the announcing service. */
  async create(tx: TenantTransaction, link: NewLink, source: string): Promise<AccountLink | null> {
    const created = await this.links.insert(tx, link, FIRST_SYNC_GRACE_SECONDS);
    if (created) await this.outbox.enqueue(tx, [announcement(created, 'active', source)]);
    return created;
  }

  async revoke(tx: TenantTransaction, link: AccountLink, source: string, reason?: string): Promise<void> {
    await this.links.revoke(tx, link.id, reason);
    await this.outbox.enqueue(tx, [announcement(link, 'revoked', source)]);
  }
}

function announcement(link: AccountLink, status: 'active' | 'revoked', source: string): OutboxAnnouncement {
  return announce(
    Topic.AccountLinked,
    link.tenantId,
    MessageKey.user(link.tenantId, link.userId),
    { tenantId: link.tenantId, userId: link.userId, accountLinkId: link.id, provider: link.provider, externalId: link.externalId, status },
    { source, subject: link.userId, traceparent: childTraceparent() },
  );
}
