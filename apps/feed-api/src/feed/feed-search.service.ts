import { createHash } from 'node:crypto';
import type { Principal } from '@activity/auth';
import { compositeKey, DomainError, searchConfigurations, searchTsquery, type Locale, type SearchCursor, type SearchLanguage, type SearchSnapshot } from '@activity/domain';
import type { ActivityEventStore, ReplicaRouting } from '@activity/persistence';
import type { FeedSearchQueryDto } from './feed-query.dto';
import { toItem, type FeedItem } from './feed.service';

/** Ranking looks at this many of the newest matches (a common word's older matches are left out, not ranked). */
const CANDIDATES = 2_000;

export interface SearchItem extends FeedItem {
  /** The matching text with the matches in `<mark>…</mark>`; everything else HTML-escaped. */
  snippet: string;
  score: number;
}

export interface SearchPage {
  items: SearchItem[];
  /** Pass back as `cursor` for the next page of this search; null at the end. */
  nextCursor: string | null;
  /** The stemming the query was searched with. */
  language: SearchLanguage;
}

/**
 * GET /v2/feed/search: full-text search within the caller's feed (or, for tenant readers, the
 * tenant's), under the same filters, row-level security and replica routing as the feed itself.
 * The first page fixes a snapshot (the newest event id and the instant recency is measured
 * from); later pages carry it in their signed cursor.
 */
export class FeedSearchService {
  constructor(
    private readonly events: ActivityEventStore,
    private readonly cursors: SearchCursor,
    private readonly replica?: { events: ActivityEventStore; routing: ReplicaRouting },
  ) {}

  async search(principal: Principal, query: FeedSearchQueryDto, language: SearchLanguage, locale: Locale): Promise<SearchPage> {
    const tsquery = searchTsquery(query.q);
    if (!tsquery)
      throw new DomainError('validation_failed', {}, [{ field: 'q', rule: 'searchWords', message: 'q must contain at least one word', messageKey: 'validation.search.noWords' }]);
    const userId = query.scope === 'tenant' ? null : principal.userId;
    const events = await this.store(principal);
    const fingerprint = searchFingerprint(principal, query, language);
    const position: SearchSnapshot = query.cursor ? this.cursors.decode(query.cursor, fingerprint) : { asOf: new Date(), maxId: await events.latestId(principal.tenantId, userId) };
    const hits = await events.search({
      tenantId: principal.tenantId,
      userId,
      ...(query.types?.length ? { types: query.types } : {}),
      ...(query.since ? { since: new Date(query.since) } : {}),
      ...(query.until ? { until: new Date(query.until) } : {}),
      tsquery,
      configurations: searchConfigurations(language),
      position,
      candidates: CANDIDATES,
      limit: query.limit + 1,
    });
    const page = hits.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((hit) => ({ ...toItem(hit.event, locale), snippet: markedSnippet(hit.snippet), score: Math.round(hit.score * 1e6) / 1e6 })),
      nextCursor: hits.length > query.limit && last ? this.cursors.encode({ asOf: position.asOf, maxId: position.maxId, score: last.score, id: last.event.id }, fingerprint) : null,
      language,
    };
  }

  private async store(principal: Principal): Promise<ActivityEventStore> {
    if (!this.replica) return this.events;
    return this.replica.routing.choose(compositeKey(principal.tenantId, principal.userId), this.events, this.replica.events);
  }
}

/** The search's language: `lang` when given, else the first supported language of Accept-Language, else both. */
export function searchLanguageOf(lang: SearchLanguage | undefined, acceptLanguage: string | undefined): SearchLanguage {
  if (lang) return lang;
  for (const range of (acceptLanguage ?? '').split(',')) {
    const [tag, ...parameters] = range.trim().toLowerCase().split(';');
    if (parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter))) continue;
    const primary = tag?.split('-')[0];
    if (primary === 'en' || primary === 'ru') return primary;
  }
  return 'any';
}

/** ts_headline marks matches with U+E000/U+E001 (characters no text of ours contains): escape the rest, then mark. */
export function markedSnippet(raw: string): string {
  const escaped = raw.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  return escaped
    .replace(/\uE000/g, '<mark>')
    .replace(/\uE001/g, '</mark>')
    .replace(/\n/g, ' · ');
}

function searchFingerprint(principal: Principal, query: FeedSearchQueryDto, language: SearchLanguage): string {
  const q = createHash('sha256').update(query.q).digest('base64url');
  return ['search', principal.tenantId, principal.userId, query.scope, language, q, (query.types ?? []).join(','), query.since ?? '', query.until ?? ''].join('\n');
}
