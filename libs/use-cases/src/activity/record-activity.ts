import { Inject, Injectable } from '@nestjs/common';
import { eventCatalogue, linksIn, searchDocument, SUPPORTED_LOCALES, type NewActivityEvent } from '@activity/domain';
import { messages } from '@activity/i18n';
import { announce, announceFeedUpdates, MessageKey, Topic } from '@activity/messaging';
import { childTraceparent } from '@activity/observability';
import { AccountLinkStore, ActivityEventStore, identityKey, OutboxStore, tenantOf, type InsertedEvent, type TenantTransaction } from '@activity/persistence';
import type { NormalizedEvent } from '@activity/connector-sdk';

/**
 * Record activity: events and their `feed.updated` announcements commit in the caller's tenant
 * transaction, so a reader is told exactly about what was stored. A redelivered event inserts
 * nothing (unique source event id) and is therefore announced once. Webhooks, syncs, gateway
 * shards and internal intake all record through here.
 */
@Injectable()
export class RecordActivity {
  constructor(
    @Inject(ActivityEventStore) private readonly events: ActivityEventStore,
    @Inject(AccountLinkStore) private readonly links: AccountLinkStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
  ) {}

  /** Stores events whose feed owner is known (or null: tenant feed only); `source` is the CloudEvent source of the announcements. */
  async record(tx: TenantTransaction, events: ReadonlyArray<Omit<NewActivityEvent, 'tenantId'> & { readonly revisable?: boolean }>, source: string): Promise<InsertedEvent[]> {
    const tenantId = tenantOf(tx);
    const catalogue = eventCatalogue();
    const texts = messages();
    const rows = events.map(({ revisable: _revisable, ...event }) => ({
      ...event,
      tenantId,
      // What search finds it by, in every language the feed speaks (written once, indexed by PostgreSQL).
      searchText: searchDocument({ ...event, summaries: SUPPORTED_LOCALES.map((locale) => catalogue.summarize(event, locale, texts)) }),
    }));
    const created = await this.events.insertNew(tx, rows);
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
    await this.outbox.enqueue(tx, [...announceFeedUpdates(tenantId, created, origin), ...previews, ...updates]);
    return created;
  }

  /** Removes events the platform withdrew, each announced with `feed.item.updated` (`removed`): open clients drop it. */
  async retract(tx: TenantTransaction, provider: string, sourceEventIds: readonly string[], source: string): Promise<number> {
    const tenantId = tenantOf(tx);
    const removed = await this.events.retract(tx, provider, sourceEventIds);
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
