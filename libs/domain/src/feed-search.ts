import { DomainError } from './domain-error';
import { SignedCursorCodec } from './feed-cursor';
import type { Locale } from './locale';

/** At most this many words of a query are searched (the rest are ignored, never an error). */
export const MAX_SEARCH_TERMS = 16;
const MAX_TERM_LENGTH = 64;

/** `en`/`ru`: that language's stemming; `any`: both (a word matches in either). */
export type SearchLanguage = Locale | 'any';

/**
 * The words of what a person typed, as PostgreSQL tsquery text that cannot be anything but a
 * conjunction of quoted words: only letters and digits are kept, so quotes, `!`, `&`, `|`, `:*`,
 * parentheses and the rest of the tsquery syntax never reach the parser. The last word is also
 * matched as a prefix (`alic` finds "alice"), because people search while typing names.
 * Null when no word is left.
 */
export function searchTsquery(q: string): string | null {
  const words = (
    q
      .slice(0, 10_000)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .map((word) => word.slice(0, MAX_TERM_LENGTH))
    .slice(0, MAX_SEARCH_TERMS);
  if (words.length === 0) return null;
  const quoted = words.map((word) => `'${word}'`);
  const last = quoted.pop()!;
  return [...quoted, `(${last} | ${last}:*)`].join(' & ');
}

/** The text search configurations a query is parsed with. The index uses `russian`, which stems Latin words as English too. */
export function searchConfigurations(language: SearchLanguage): Array<'english' | 'russian'> {
  if (language === 'en') return ['english'];
  if (language === 'ru') return ['russian'];
  return ['english', 'russian'];
}

/** A position in search results ordered by (score desc, id desc), within the snapshot the first page saw. */
export interface SearchPosition {
  /** Recency is measured from this instant on every page, so scores do not drift between pages. */
  readonly asOf: Date;
  /** Events that arrived after the first page are not in this search. */
  readonly maxId: string;
  readonly score: number;
  readonly id: string;
}

/** The first page's snapshot (no position yet), or a page's last result. */
export type SearchSnapshot = Pick<SearchPosition, 'asOf' | 'maxId'> & Partial<Pick<SearchPosition, 'score' | 'id'>>;

/** Signed search cursors, bound to the caller, the query and its filters. */
export class SearchCursor {
  private readonly codec: SignedCursorCodec;

  constructor(secret: string) {
    this.codec = new SignedCursorCodec(secret);
  }

  encode(position: SearchPosition, fingerprint: string): string {
    return this.codec.encode({ a: position.asOf.toISOString(), m: position.maxId, s: position.score, i: position.id }, fingerprint);
  }

  decode(token: string, fingerprint: string): SearchPosition {
    const { a, m, s, i } = this.codec.decode(token, fingerprint);
    const asOf = typeof a === 'string' ? new Date(a) : undefined;
    if (
      !asOf ||
      Number.isNaN(asOf.getTime()) ||
      typeof m !== 'string' ||
      !/^\d{1,19}$/.test(m) ||
      typeof s !== 'number' ||
      !Number.isFinite(s) ||
      typeof i !== 'string' ||
      !/^\d{1,19}$/.test(i)
    ) {
      throw new DomainError('invalid_cursor');
    }
    return { asOf, maxId: m, score: s, id: i };
  }
}
