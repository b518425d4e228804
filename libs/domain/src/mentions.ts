/** An `@name` found in free text, where it stands (UTF-16 offsets of the `@` and just past the name). */
export interface Mention {
  /** As written (NFC), without the `@`. */
  readonly name: string;
  /** How names compare: NFC, lower case. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

export interface MentionOptions {
  /** Distinct names kept at most, in order of first appearance (one message notifies a bounded number of people). */
  readonly maxMentions: number;
}

// Code (fenced blocks, then inline spans) and URLs are cut out before mentions are looked for.
const FENCED_CODE = /```[\s\S]*?(?:```|$)/g;
const INLINE_CODE = /`[^`\n]*`/g;
const URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"']+/giu;
// A name starts with a letter, digit or underscore and goes on with those, dots and dashes; it may
// not follow a letter, digit or one of `_.+-` (that `@` is in an e-mail address or a word).
const MENTION = /(?<![\p{L}\p{N}\p{M}_.+\-@])@([\p{L}\p{N}_][\p{L}\p{N}\p{M}_.-]{0,63})/gu;

/**
 * The `@name` mentions in a text, for notifications: not inside code spans or fenced code, URLs or
 * e-mail addresses; unicode names (`@Алиса`); trailing punctuation is not part of a name
 * (`@bob.` is bob); each name once, at most `maxMentions` of them. Resolving a name to a user of
 * the tenant (and dropping self-mentions and unknown names) is the caller's.
 */
export function findMentions(text: string, options: MentionOptions): Mention[] {
  const blanked = blank(blank(blank(text.normalize('NFC'), FENCED_CODE), INLINE_CODE), URL);
  const found: Mention[] = [];
  const seen = new Set<string>();
  for (const match of blanked.matchAll(MENTION)) {
    const name = match[1]!.replace(/[.-]+$/u, '');
    if (!name) continue;
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    if (found.length >= options.maxMentions) break;
    seen.add(key);
    found.push({ name, key, start: match.index, end: match.index + 1 + name.length });
  }
  return found;
}

/** Replaces what a pattern matches with spaces of the same length, so offsets stay those of the text. */
function blank(text: string, pattern: RegExp): string {
  return text.replace(pattern, (matched) => ' '.repeat(matched.length));
}

/** Payload fields that hold what a person wrote (a comment, a chat message): where mentions count. */
const MENTION_TEXT_FIELDS = new Set(['text', 'message', 'body', 'content', 'comment', 'description']);

/** The free text of an event's payload (its text fields, one level of nesting deep), joined by blank lines. */
export function mentionTextOf(payload: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const visit = (value: unknown, key: string, depth: number) => {
    if (typeof value === 'string') {
      if (MENTION_TEXT_FIELDS.has(key.toLowerCase())) parts.push(value.slice(0, 10_000));
      return;
    }
    if (depth < 2 && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, child] of Object.entries(value).slice(0, 50)) visit(child, inner, depth + 1);
    }
  };
  visit(payload, '', 0);
  return parts.join('\n\n');
}

/** About `width` characters of the text around a mention, on word boundaries, with ellipses where cut. */
export function excerptAround(text: string, mention: Pick<Mention, 'start' | 'end'>, width = 160): string {
  const normalized = text.normalize('NFC');
  const half = Math.max(20, Math.floor((width - (mention.end - mention.start)) / 2));
  let from = Math.max(0, mention.start - half);
  let to = Math.min(normalized.length, mention.end + half);
  if (from > 0) from = normalized.lastIndexOf(' ', mention.start) > from ? normalized.indexOf(' ', from) + 1 : from;
  if (to < normalized.length) to = Math.max(mention.end, normalized.lastIndexOf(' ', to));
  const core = normalized.slice(from, to).replace(/\s+/g, ' ').trim();
  return `${from > 0 ? '…' : ''}${core}${to < normalized.length ? '…' : ''}`;
}
