/** A link's preview, as the feed shows it. Images are referenced by URL, never proxied. */
export interface LinkPreview {
  readonly url: string;
  readonly title: string;
  readonly description?: string;
  readonly image?: string;
  readonly siteName?: string;
  /** Where the title came from. */
  readonly source: 'opengraph' | 'twitter' | 'oembed' | 'html';
}

/** Links previewed per event at most. */
export const MAX_PREVIEWED_LINKS = 3;
const TEXT_FIELDS = new Set(['text', 'message', 'body', 'content', 'comment', 'description', 'link']);
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/**
 * The links in an event's text that deserve a preview: http(s) URLs inside the payload's free
 * text (sentences, and fields such as `text` or `message` holding a bare link), not the
 * structural URLs a connector stores (a profile or event page field), in order, without
 * duplicates, at most MAX_PREVIEWED_LINKS.
 */
export function linksIn(payload: Readonly<Record<string, unknown>>): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string, depth: number) => {
    if (depth > 4 || found.length >= MAX_PREVIEWED_LINKS) return;
    if (typeof value === 'string') {
      if (!/\s/.test(value.trim()) && !TEXT_FIELDS.has(key.toLowerCase())) return;
      for (const match of value.slice(0, 10_000).matchAll(URL_IN_TEXT)) {
        const url = match[0].replace(/[.,;:!?)\]}]+$/, '');
        if (url.length <= 2048 && !found.includes(url) && found.length < MAX_PREVIEWED_LINKS && isUrl(url)) found.push(url);
      }
      return;
    }
    if (Array.isArray(value)) value.slice(0, 20).forEach((item) => visit(item, key, depth + 1));
    else if (value && typeof value === 'object') for (const [inner, child] of Object.entries(value).slice(0, 50)) visit(child, inner, depth + 1);
  };
  visit(payload, '', 0);
  return found;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
