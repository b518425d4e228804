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
