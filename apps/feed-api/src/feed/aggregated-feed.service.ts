import type { Principal } from '@activity/auth';
import { compositeKey, DomainError, summaryArguments, eventCatalogue, type GroupCursor, type Locale } from '@activity/domain';
import { messages } from '@activity/i18n';
import type { FeedGroup, FeedGroupStore } from '@activity/persistence';
import type { GenerationalCache } from '@activity/platform';
import type { ReadBroadcast } from '../realtime/read-broadcast';
import type { UnreadCounter } from '../unread/unread-counter';
import type { FeedQueryDto } from './feed-query.dto';
import { filterFingerprint, toItem, type FeedItem } from './feed.service';

/** Unread counts are exact up to this many groups. */
const UNREAD_CAP = 1000;

export interface FeedGroupItem {
  /** Opaque and stable: mark it read or seen with it. */
  key: string;
  type: string;
  /** Members matching the filters. */
  count: number;
  firstAt: string;
  lastAt: string;
  actorCount: number;
  /** "alice unlocked 5 achievements in Team Fortress 2", in the reader's language, of the matching members. */
  summary: string;
  read: boolean;
  seen: boolean;
  /** The newest matching members, newest first. */
  samples: FeedItem[];
}

export interface FeedGroupPage {
  groups: FeedGroupItem[];
  nextCursor: string | null;
}

/**
 * GET /v2/feed?view=aggregated: the user's groups newest first (see FeedGroupStore), filters
 * applied inside each group, keyset-paginated by (position, key): a group that grows moves to the
 * top and is not shown again on the next pages. Groups are read and seen on their own (and all at
 * once with the feed's read marker), and the badge counts each unread group once.
 */
export class AggregatedFeedService {
  constructor(
    private readonly groups: FeedGroupStore,
    private readonly cursors: GroupCursor,
    private readonly readBroadcast: ReadBroadcast,
    private readonly cache: GenerationalCache,
    private readonly unread: UnreadCounter,
  ) {}

  /**
   * The page, serialised. The unfiltered first page is kept in the user's feed cache (a variant
   * beside the plain first pages) until feed.updated, feed.item.updated or a read/seen mark drops it.
   */
  async pageJson(principal: Principal, query: FeedQueryDto, locale: Locale, window: { since?: Date; until?: Date }): Promise<string> {
    const firstPage = query.scope === 'user' && !query.cursor && !query.types?.length && !query.since && !query.until;
    if (!firstPage) return JSON.stringify(await this.page(principal, query, locale, window));
    return this.cache.get('first_page', compositeKey(principal.tenantId, principal.userId), `groups:${locale}:${query.limit}:${query.samples}`, async () =>
      JSON.stringify(await this.page(principal, query, locale, window)),
    );
  }

  async page(principal: Principal, query: FeedQueryDto, locale: Locale, window: { since?: Date; until?: Date }): Promise<FeedGroupPage> {
    if (query.scope !== 'user') {
      throw new DomainError('validation_failed', {}, [
        { field: 'view', rule: 'aggregatedUserScope', message: 'view=aggregated reads your own feed (scope=user)', messageKey: 'validation.feed.aggregatedScope' },
      ]);
    }
    const fingerprint = `${filterFingerprint(principal, query)}\naggregated`;
    const after = query.cursor ? this.cursors.decode(query.cursor, fingerprint) : undefined;
    const rows = await this.groups.page({
      tenantId: principal.tenantId,
      userId: principal.userId,
      ...(query.types?.length ? { types: query.types } : {}),
      ...window,
      ...(after ? { after } : {}),
      limit: query.limit + 1,
      samples: query.samples,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      groups: page.map((group) => toGroupItem(group, locale)),
      nextCursor: rows.length > query.limit && last ? this.cursors.encode({ at: last.position, key: last.key }, fingerprint) : null,
    };
  }

  /**
   * The user's groups that gained members after an arrival id (at most 50), as the aggregated feed
   * shows them now, newest first: what a real-time client is handed. One query for all of them.
   */
  async changedSince(principal: Principal, afterEventId: string, locale: Locale, samples = 3): Promise<FeedGroupItem[]> {
    const keys = (await this.groups.changedSince(principal.tenantId, principal.userId, afterEventId, 50)).map((group) => group.key);
    if (keys.length === 0) return [];
    const groups = await this.groups.page({ tenantId: principal.tenantId, userId: principal.userId, keys, limit: keys.length, samples });
    return groups.map((group) => toGroupItem(group, locale));
  }

  async unreadCount(principal: Principal): Promise<{ count: number | string; unseen: number | string; capped: boolean }> {
    const { unread, unseen } = await this.groups.countUnread(principal.tenantId, principal.userId, UNREAD_CAP);
    const shown = (value: number) => (value > UNREAD_CAP ? `${UNREAD_CAP}+` : value);
    return { count: shown(unread), unseen: shown(unseen), capped: unread > UNREAD_CAP || unseen > UNREAD_CAP };
  }

  /** Marks one group read or seen; the user's other clients are told at once. */
  async mark(principal: Principal, key: string, state: 'read' | 'seen'): Promise<{ key: string; read: boolean; seen: boolean }> {
    if (!(await this.groups.markRead(principal.tenantId, principal.userId, key, state))) throw new DomainError('not_found', { path: `group ${key}` });
    await this.unread.invalidate(principal.tenantId, principal.userId);
    await this.readBroadcast.publish(principal.tenantId, principal.userId);
    return { key, read: state === 'read', seen: true };
  }

  async markAllSeen(principal: Principal): Promise<{ unseen: number | string }> {
    await this.groups.markAllSeen(principal.tenantId, principal.userId);
    await this.unread.invalidate(principal.tenantId, principal.userId);
    await this.readBroadcast.publish(principal.tenantId, principal.userId);
    return { unseen: (await this.unreadCount(principal)).unseen };
  }
}

/** A group's summary: its type's `groups.<type>` message, else the generic one, with the newest member's words. */
export function toGroupItem(group: FeedGroup, locale: Locale): FeedGroupItem {
  const samples = group.samples.map((event) => toItem(event, locale));
  const newest = group.samples[0];
  const texts = messages();
  const args: Record<string, unknown> = {
    ...(newest ? summaryArguments(newest) : { actor: '', object: '', target: '', type: group.type }),
    count: group.count,
    actorCount: Math.max(1, group.actorCount),
    latest: samples[0]?.summary ?? '',
  };
  const summary =
    texts.format(locale, `groups.${group.type}`, args) ??
    texts.format(locale, 'feed.group.fallback', args) ??
    `${String(args['actor'])}: ${group.count} × ${eventCatalogue().describe(group.type)?.type ?? group.type}`;
  return {
    key: group.key,
    type: group.type,
    count: group.count,
    firstAt: group.firstAt.toISOString(),
    lastAt: group.lastAt.toISOString(),
    actorCount: group.actorCount,
    summary,
    read: group.read,
    seen: group.seen,
    samples,
  };
}
