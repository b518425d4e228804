import { Parser } from 'htmlparser2';
import type { LinkPreview } from '@activity/domain';

/** What a page says about itself, from its `<head>`. */
export interface PageMetadata {
  readonly openGraph: Readonly<Record<string, string>>;
  readonly twitter: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly title?: string;
  /** `<link rel="alternate" type="application/json+oembed" href="…">`, absolute. */
  readonly oembedUrl?: string;
}

export type { LinkPreview };

const MAX_TEXT = 500;

/**
 * Reads a page's metadata with htmlparser2 (a real, forgiving HTML parser): OpenGraph
 * (`og:*`), Twitter cards (`twitter:*`), `<meta name="description">`, `<title>` and the oEmbed
 * discovery link. Stops at `<body>`: everything that describes a page is in its head.
 */
export function readPageMetadata(html: string, pageUrl: URL): PageMetadata {
  const openGraph: Record<string, string> = {};
  const twitter: Record<string, string> = {};
  let description: string | undefined;
  let title = '';
  let inTitle = false;
  let oembedUrl: string | undefined;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (done) return;
        if (name === 'body') {
          done = true;
          parser.pause();
          return;
        }
        if (name === 'title') inTitle = true;
        if (name === 'meta') {
          const key = (attributes['property'] ?? attributes['name'] ?? '').toLowerCase().trim();
          const content = attributes['content'];
          if (!key || content === undefined) return;
          if (key.startsWith('og:')) openGraph[key.slice(3)] ??= content;
          else if (key.startsWith('twitter:')) twitter[key.slice(8)] ??= content;
          else if (key === 'description' && description === undefined) description = content;
        }
        if (
          name === 'link' &&
          !oembedUrl &&
          (attributes['rel'] ?? '').toLowerCase().split(/\s+/).includes('alternate') &&
          (attributes['type'] ?? '').toLowerCase() === 'application/json+oembed' &&
          attributes['href']
        ) {
          const resolved = absolute(attributes['href'], pageUrl);
          if (resolved) oembedUrl = resolved;
        }
      },
      ontext(text) {
        if (inTitle && title.length < MAX_TEXT) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  if (!done) parser.end();
  return { openGraph, twitter, ...(description !== undefined ? { description } : {}), ...(title.trim() ? { title: title.trim() } : {}), ...(oembedUrl ? { oembedUrl } : {}) };
}

/** The preview a page's metadata (and its oEmbed answer, when there is one) makes; null when it names nothing. */
export function previewOf(pageUrl: URL, metadata: PageMetadata, oembed?: Readonly<Record<string, unknown>>): LinkPreview | null {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim().replace(/\s+/g, ' ').slice(0, MAX_TEXT) : undefined);
  const og = metadata.openGraph;
  const card = metadata.twitter;
  const candidates: Array<[LinkPreview['source'], string | undefined]> = [
    ['opengraph', text(og['title'])],
    ['twitter', text(card['title'])],
    ['oembed', text(oembed?.['title'])],
    ['html', text(metadata.title)],
  ];
  const [source, title] = candidates.find(([, value]) => value) ?? [];
  if (!source || !title) return null;
  const image = [og['image:secure_url'], og['image'], card['image'], card['image:src'], oembed?.['thumbnail_url']]
    .map((value) => (typeof value === 'string' ? absolute(value, pageUrl) : undefined))
    .find(Boolean);
  const description = text(og['description']) ?? text(card['description']) ?? text(metadata.description);
  const siteName = text(og['site_name']) ?? text(oembed?.['provider_name']) ?? text(card['site']);
  return { url: pageUrl.toString(), title, ...(description ? { description } : {}), ...(image ? { image } : {}), ...(siteName ? { siteName } : {}), source };
}

/** An absolute http(s) URL, or undefined (a `javascript:` or `data:` "image" is no image). */
function absolute(value: string, base: URL): string | undefined {
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
