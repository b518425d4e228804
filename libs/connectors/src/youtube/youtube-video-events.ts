import type { NormalizedEvent } from '@activity/connector-sdk';
import { parseInstant } from '@activity/domain';
import type { YouTubeFeedEntry } from './youtube-atom';
import type { YouTubeVideo } from './youtube-data-api';

/** The four events a video can be, in the order they happen; their source event ids are fixed per video, so a video is never in a feed twice as the same thing. */
export const YOUTUBE_VIDEO_STAGES = ['published', 'scheduled', 'started', 'ended'] as const;

export function videoSourceEventId(videoId: string, stage: (typeof YOUTUBE_VIDEO_STAGES)[number]): string {
  return `youtube:video:${videoId}:${stage}`;
}

/** Every event a video may have given (what a tombstone withdraws). */
export function allVideoSourceEventIds(videoId: string): string[] {
  return YOUTUBE_VIDEO_STAGES.map((stage) => videoSourceEventId(videoId, stage));
}

/** Whether the video is still to be watched: a stream scheduled or live may change again; an upload or an ended stream will not. */
export function isSettled(video: YouTubeVideo): boolean {
  const live = video.liveStreamingDetails;
  if (!live) return video.snippet.liveBroadcastContent !== 'upcoming' && video.snippet.liveBroadcastContent !== 'live';
  return Boolean(live.actualEndTime);
}

function videoObject(videoId: string, title: string) {
  return { type: 'Video', id: `youtube:video:${videoId}`, name: title, url: `https://www.youtube.com/watch?v=${videoId}` };
}

function actorOf(channelId: string, name: string | undefined) {
  return { type: 'Person', id: `youtube:channel:${channelId}`, name: name || channelId };
}

/**
 * What a video is, as the Data API confirms it: an upload (`youtube.video.published`), a stream
 * scheduled, live (started) or over (ended, with its length; a start missed is given too). All
 * are revisable: the same video seen again with a new title updates the events it already gave.
 */
export function eventsOfVideo(video: YouTubeVideo, now = new Date()): NormalizedEvent[] {
  const { id, snippet } = video;
  const base = { source: 'youtube', externalAccountId: snippet.channelId, actor: actorOf(snippet.channelId, snippet.channelTitle), revisable: true };
  const object = videoObject(id, snippet.title);
  const common = { videoId: id, title: snippet.title, url: object.url };
  const live = video.liveStreamingDetails;
  const published = parseInstant(snippet.publishedAt ?? '') ?? now;
  if (!live || (!live.scheduledStartTime && !live.actualStartTime)) {
    if (snippet.liveBroadcastContent === 'upcoming' || snippet.liveBroadcastContent === 'live') return [];
    return [{ ...base, sourceEventId: videoSourceEventId(id, 'published'), type: 'youtube.video.published', object, occurredAt: published, payload: common }];
  }
  const scheduled = parseInstant(live.scheduledStartTime ?? '');
  const started = parseInstant(live.actualStartTime ?? '');
  const ended = parseInstant(live.actualEndTime ?? '');
  if (!started) {
    if (!scheduled) return [];
    return [
      {
        ...base,
        sourceEventId: videoSourceEventId(id, 'scheduled'),
        type: 'youtube.stream.scheduled',
        object,
        // When it was announced; the start it is scheduled for is in the payload.
        occurredAt: published,
        payload: { ...common, scheduledStartTime: scheduled.toISOString() },
      },
    ];
  }
  const events: NormalizedEvent[] = [
    {
      ...base,
      sourceEventId: videoSourceEventId(id, 'started'),
      type: 'youtube.stream.started',
      object,
      occurredAt: started,
      payload: { ...common, startedAt: started.toISOString() },
    },
  ];
  if (ended) {
    const durationSeconds = Math.max(0, Math.round((ended.getTime() - started.getTime()) / 1000));
    events.push({
      ...base,
      sourceEventId: videoSourceEventId(id, 'ended'),
      type: 'youtube.stream.ended',
      object,
      occurredAt: ended,
      payload: { ...common, startedAt: started.toISOString(), durationSeconds, durationMinutes: Math.floor(durationSeconds / 60) },
    });
  }
  return events;
}

/**
 * What a notification entry is when the Data API cannot be asked (no key configured, or the
 * gateway's check before acknowledging): an upload, from the entry alone.
 */
export function eventsOfEntry(entry: YouTubeFeedEntry, now = new Date()): NormalizedEvent[] {
  const object = videoObject(entry.videoId, entry.title);
  return [
    {
      source: 'youtube',
      externalAccountId: entry.channelId,
      actor: actorOf(entry.channelId, entry.authorName),
      revisable: true,
      sourceEventId: videoSourceEventId(entry.videoId, 'published'),
      type: 'youtube.video.published',
      object,
      occurredAt: entry.published ?? now,
      payload: { videoId: entry.videoId, title: entry.title, url: object.url },
    },
  ];
}
