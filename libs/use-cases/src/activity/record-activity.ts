import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CommonConfig } from '@activity/config';
import {
  eventCatalogue,
  excerptAround,
  findMentions,
  groupKeyOf,
  linksIn,
  mentionTextOf,
  searchDocument,
  SUPPORTED_LOCALES,
  type GroupingRules,
  type Mention,
  type NewActivityEvent,
} from '@activity/domain';
import { messages } from '@activity/i18n';
import { announce, announceFeedUpdates, MessageKey, Topic } from '@activity/messaging';
import { childTraceparent } from '@activity/observability';
import {
  AccountLinkStore,
  ActivityEventStore,
  FeedGroupStore,
  identityKey,
  NotificationStore,
  OutboxStore,
  tenantOf,
  type InsertedEvent,
  type TenantTransaction,
} from '@activity/persistence';
import { SERVICE_CONFIG } from '@activity/platform';
import type { NormalizedEvent } from '@activity/connector-sdk';

/**
 * Record activity: events and their `feed.updated` announcements commit in the caller's tenant
 * transaction, so a reader is told exactly about what was stored. A redelivered event inserts
 * nothing (unique source event id) and is therefore announced once. Webhooks, syncs, gateway
 * shards and internal intake all record through here.
 */
/** How long a tenant's grouping rules are reused before being read again (a changed rule applies to events written after). */
const RULES_TTL_MS = 30_000;

@Injectable()
export class RecordActivity {
  private readonly tenantRules = new Map<string, { rules: GroupingRules; until: number }>();

  constructor(
    @Inject(ActivityEventStore) private readonly events: ActivityEventStore,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
    @Inject(FeedGroupStore) private readonly groups: FeedGroupStore,
    @Inject(NotificationStore) private readonly notifications: NotificationStore,
    @Optional() @Inject(SERVICE_CONFIG) config?: Pick<CommonConfig, 'MENTIONS_MAX_PER_MESSAGE'>,
  ) {
    this.maxMentions = config?.MENTIONS_MAX_PER_MESSAGE ?? 10;
  }

  private readonly maxMentions: number;

  /** The tenant's grouping rules over the connectors' (read at most every RULES_TTL_MS per tenant and process). */
  private async rulesOf(tx: TenantTransaction): Promise<GroupingRules> {
    const tenantId = tenantOf(tx);
    const cached = this.tenantRules.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.rules;
    const rules = eventCatalogue()
      .groupingDefaults()
      .withOverrides(await this.groups.rules(tx));
    this.tenantRules.set(tenantId, { rules, until: Date.now() + RULES_TTL_MS });
    return rules;
  }

  /** Stores events whose feed owner is known (or null: tenant feed only); `source` is the CloudEvent source of the announcements. */
  async record(tx: TenantTransaction, events: ReadonlyArray<Omit<NewActivityEvent, 'tenantId'> & { readonly revisable?: boolean }>, source: string): Promise<InsertedEvent[]> {
    const tenantId = tenantOf(tx);
    const catalogue = eventCatalogue();
    const texts = messages();
    const rules = events.some((event) => event.userId) ? await this.rulesOf(tx) : null;
    const rows = events.map(({ revisable: _revisable, ...event }) => ({
      ...event,
      tenantId,
      // Its aggregated-feed group, by the rule in force when it is written.
      ...(rules && event.userId ? { groupKey: groupKeyOf(event, rules.ruleFor(event.type)) } : {}),
      // What search finds it by, in every language the feed speaks (written once, indexed by PostgreSQL).
      searchText: searchDocument({ ...event, summaries: SUPPORTED_LOCALES.map((locale) => catalogue.summarize(event, locale, texts)) }),
    }));
    const created = await this.events.insertNew(tx, rows);
    await this.groups.absorb(tx, created);
    const origin = { source, traceparent: childTraceparent() };
    // A revisable event already stored takes its new content (a renamed video), announced as an update rather than a new item.
    const inserted = new Set(created.map((row) => `${row.source}\n${row.sourceEventId}`));
    const revised = await this.events.revise(
      tx,
      rows.filter((row, index) => events[index]!.revisable && !inserted.has(`${row.source}\n${row.sourceEventId}`)),
    );
    const updates = revised.map((row) =>
      announce(
        Topic.FeedItemUpdated,
        tenantId,
        MessageKey.event(tenantId, row.id),
        { tenantId, userId: row.userId, eventId: row.id, change: 'revised' as const },
        { ...origin, subject: row.id },
      ),
    );
    // Links in an event's text get previews, fetched by connector-workers after it is stored (never in the request path).
    const links = new Map(events.map((event) => [`${event.source}\n${event.sourceEventId}`, linksIn(event.payload)]));
    const previews = created.flatMap((row) => {
      const urls = links.get(`${row.source}\n${row.sourceEventId}`) ?? [];
      return urls.length
        ? [announce(Topic.LinkPreviewRequested, tenantId, MessageKey.event(tenantId, row.id), { tenantId, eventId: row.id, urls }, { ...origin, subject: row.id })]
        : [];
    });
    const notified = await this.notifyMentions(tx, events, created, origin);
    await this.outbox.enqueue(tx, [...announceFeedUpdates(tenantId, created, origin), ...previews, ...updates, ...notified]);
    return created;
  }

  /**
   * `@name`s in a new event's text notify the users of the tenant with those handles (never the
   * event's own user, never another tenant's; unknown names stay text), at most maxMentions per
   * event, each once; each notification is announced on `notification.created`.
   */
  private async notifyMentions(
    tx: TenantTransaction,
    events: ReadonlyArray<Omit<NewActivityEvent, 'tenantId'>>,
    created: readonly InsertedEvent[],
    origin: { source: string; traceparent?: string },
  ) {
    if (this.maxMentions === 0 || created.length === 0) return [];
    const byKey = new Map(events.map((event) => [`${event.source}\n${event.sourceEventId}`, event]));
    const found: Array<{ row: InsertedEvent; event: Omit<NewActivityEvent, 'tenantId'>; text: string; mentions: Mention[] }> = [];
    for (const row of created) {
      const event = byKey.get(`${row.source}\n${row.sourceEventId}`);
      const text = event ? mentionTextOf(event.payload) : '';
      if (!event || !text.includes('@')) continue;
      const mentions = findMentions(text, { maxMentions: this.maxMentions });
      if (mentions.length) found.push({ row, event, text, mentions });
    }
    if (found.length === 0) return [];
    const users = await this.notifications.resolveHandles(tx, [...new Set(found.flatMap(({ mentions }) => mentions.map((mention) => mention.key)))]);
    const wanted = found.flatMap(({ row, event, text, mentions }) => {
      const recipients = new Map<string, Mention>();
      for (const mention of mentions) {
        const userId = users.get(mention.key);
        if (userId && userId !== event.userId && !recipients.has(userId)) recipients.set(userId, mention);
      }
      return [...recipients].map(([userId, mention]) => ({ userId, eventId: row.id, actor: event.actor, excerpt: excerptAround(text, mention).slice(0, 400) }));
    });
    const stored = await this.notifications.insert(tx, wanted);
    const tenantId = tenantOf(tx);
    return stored.map((notification) =>
      announce(
        Topic.NotificationCreated,
        tenantId,
        MessageKey.user(tenantId, notification.userId),
        {
          tenantId,
          userId: notification.userId,
          notificationId: notification.id,
          kind: notification.kind,
          eventId: notification.eventId,
          actor: { type: notification.actor.type, id: notification.actor.id, ...(notification.actor.name ? { name: notification.actor.name } : {}) },
          excerpt: notification.excerpt,
          createdAt: notification.createdAt.toISOString(),
        },
        { ...origin, subject: notification.id },
      ),
    );
  }

  /** Removes events the platform withdrew, each announced with `feed.item.updated` (`removed`): open clients drop it. */
  async retract(tx: TenantTransaction, provider: string, sourceEventIds: readonly string[], source: string): Promise<number> {
    const tenantId = tenantOf(tx);
    const removed = await this.events.retract(tx, provider, sourceEventIds);
    await this.groups.recount(
      tx,
      removed.flatMap((row) => (row.userId && row.groupKey ? [{ userId: row.userId, groupKey: row.groupKey }] : [])),
    );
    const origin = { source, traceparent: childTraceparent() };
    await this.outbox.enqueue(
      tx,
      removed.map((row) =>
        announce(
          Topic.FeedItemUpdated,
          tenantId,
          MessageKey.event(tenantId, row.id),
          { tenantId, userId: row.userId, eventId: row.id, change: 'removed' as const },
          { ...origin, subject: row.id },
        ),
      ),
    );
    return removed.length;
  }

  /** Stores connector events, each in the feed of whoever linked its external account (or none). */
  async recordForAccounts(tx: TenantTransaction, normalized: readonly NormalizedEvent[], source: string): Promise<InsertedEvent[]> {
    const owners = await this.links.findUserIds(
      tx,
      normalized.map((item) => ({ provider: item.source, externalId: item.externalAccountId })),
    );
    return this.record(
      tx,
      normalized.map(({ externalAccountId, ...rest }) => ({ ...rest, userId: owners.get(identityKey(rest.source, externalAccountId)) ?? null })),
      source,
    );
  }
}
