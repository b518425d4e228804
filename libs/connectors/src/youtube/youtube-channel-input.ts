import { DomainError } from '@activity/domain';

/** What identifies a channel as typed: its id, or a handle to resolve through the Data API. */
export type YouTubeChannelReference = { readonly channelId: string } | { readonly handle: string };

/**
 * A channel id (`UC` + 22 characters), a handle (`@name`) or a channel URL
 * (`youtube.com/channel/UC…`, `youtube.com/@name`, with or without scheme, `www.` or `m.`).
 */
export function parseYouTubeChannel(input: string): YouTubeChannelReference {
  const text = input.trim();
  if (/^UC[A-Za-z0-9_-]{22}$/.test(text)) return { channelId: text };
  const handle = /^@([A-Za-z0-9._-]{3,30})$/.exec(text);
  if (handle) return { handle: `@${handle[1]!}` };
  const url = /^(?:https?:\/\/)?(?:www\.|m\.)?youtube\.com\/(channel\/(UC[A-Za-z0-9_-]{22})|@([A-Za-z0-9._-]{3,30}))\/?(?:[?#].*)?$/i.exec(text);
  if (url?.[2]) return { channelId: url[2] };
  if (url?.[3]) return { handle: `@${url[3]}` };
  throw new DomainError('validation_failed', {}, [
    {
      field: 'account',
      rule: 'youtubeChannel',
      message: 'give a YouTube channel id (UC…), a handle (@name) or a youtube.com/channel/… or youtube.com/@… URL',
      messageKey: 'validation.youtube.channel',
    },
  ]);
}

/** The WebSub topic of a channel's uploads feed. */
export function youTubeTopicOf(channelId: string): string {
  return `https://www.youtube.com/xml/feeds/videos.xml?channel_id=${channelId}`;
}

/** The channel a topic is for, or null when it is no YouTube channel feed. */
export function channelOfTopic(topic: string): string | null {
  return /^https:\/\/www\.youtube\.com\/xml\/feeds\/videos\.xml\?channel_id=(UC[A-Za-z0-9_-]{22})$/.exec(topic)?.[1] ?? null;
}
