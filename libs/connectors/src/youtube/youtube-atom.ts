import { Parser } from 'htmlparser2';
import { parseInstant } from '@activity/domain';

/** A video entry of a YouTube WebSub notification (an upload, or a title or description change). */
export interface YouTubeFeedEntry {
  readonly videoId: string;
  readonly channelId: string;
  readonly title: string;
  readonly url?: string;
  readonly authorName?: string;
  readonly published?: Date;
  readonly updated?: Date;
}

/** A deleted video (`at:deleted-entry`): it carries no channel id. */
export interface YouTubeTombstone {
  readonly videoId: string;
  readonly deletedAt?: Date;
}

export interface YouTubeNotification {
  readonly entries: YouTubeFeedEntry[];
  readonly tombstones: YouTubeTombstone[];
}

/** Thrown for a body that is no Atom feed. */
export class NotAnAtomFeedError extends Error {}

/** `yt:videoId` → `videoid`: prefixes are the feed's choice, local names are what matter. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1).toLowerCase();
}

/**
 * Reads a WebSub notification from YouTube's hub (PLATFORMS.md §4) with htmlparser2 in XML mode (a
 * real parser: entities, CDATA, attribute order and whitespace are its business, no regexes):
 * the `<entry>` elements (video id, channel id, title, link, author, published, updated) and the
 * `<at:deleted-entry ref="yt:video:ID" when="…">` tombstones. Entries without a video or channel
 * id are skipped; a body without a `<feed>` root is refused.
 */
export function parseYouTubeNotification(xml: string): YouTubeNotification {
  const entries: YouTubeFeedEntry[] = [];
  const tombstones: YouTubeTombstone[] = [];
  const stack: string[] = [];
  let sawFeed = false;
  let entry: Record<string, string> | undefined;
  let text = '';
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const local = localName(name);
        stack.push(local);
        text = '';
        if (stack.length === 1 && local === 'feed') sawFeed = true;
        if (local === 'entry' && stack[stack.length - 2] === 'feed') entry = {};
        if (entry && local === 'link' && (attributes['rel'] ?? 'alternate') === 'alternate' && attributes['href']) entry['url'] = attributes['href'];
        if (local === 'deleted-entry') {
          const ref = attributes['ref'] ?? '';
          const videoId = ref.startsWith('yt:video:') ? ref.slice('yt:video:'.length) : '';
          if (/^[A-Za-z0-9_-]{6,20}$/.test(videoId)) {
            const deletedAt = parseInstant(attributes['when'] ?? '');
            tombstones.push({ videoId, ...(deletedAt ? { deletedAt } : {}) });
          }
        }
      },
      ontext(chunk) {
        text += chunk;
      },
      onclosetag(name) {
        const local = localName(name);
        const parent = stack[stack.length - 2];
        if (entry && parent === 'entry' && ['videoid', 'channelid', 'title', 'published', 'updated'].includes(local)) entry[local] = text.trim();
        if (entry && parent === 'author' && stack[stack.length - 3] === 'entry' && local === 'name') entry['author'] = text.trim();
        if (local === 'entry' && entry) {
          const videoId = entry['videoid'] ?? '';
          const channelId = entry['channelid'] ?? '';
          if (/^[A-Za-z0-9_-]{6,20}$/.test(videoId) && /^UC[A-Za-z0-9_-]{22}$/.test(channelId)) {
            const published = parseInstant(entry['published'] ?? '');
            const updated = parseInstant(entry['updated'] ?? '');
            entries.push({
              videoId,
              channelId,
              title: (entry['title'] ?? '').slice(0, 500),
              ...(entry['url'] ? { url: entry['url'] } : {}),
              ...(entry['author'] ? { authorName: entry['author'] } : {}),
              ...(published ? { published } : {}),
              ...(updated ? { updated } : {}),
            });
          }
          entry = undefined;
        }
        stack.pop();
        text = '';
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  if (!sawFeed) throw new NotAnAtomFeedError('the body is not an Atom <feed>');
  return { entries, tombstones };
}
