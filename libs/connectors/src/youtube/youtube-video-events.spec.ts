import { eventsOfVideo, isSettled } from './youtube-video-events';
import type { YouTubeVideo } from './youtube-data-api';

const CHANNEL = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';
const video = (overrides: Partial<YouTubeVideo['snippet']>, live?: YouTubeVideo['liveStreamingDetails']): YouTubeVideo => ({
  id: 'vid0000001',
  snippet: { channelId: CHANNEL, channelTitle: 'Google for Developers', title: 'Speedrun', publishedAt: '2026-11-27T10:00:00Z', liveBroadcastContent: 'none', ...overrides },
  ...(live ? { liveStreamingDetails: live } : {}),
});

describe('what a confirmed YouTube video is', () => {
  it('an upload is published, at its publication time, and settled', () => {
    const upload = video({});
    expect(eventsOfVideo(upload)).toEqual([
      expect.objectContaining({
        type: 'youtube.video.published',
        occurredAt: new Date('2026-11-27T10:00:00Z'),
        sourceEventId: 'youtube:video:vid0000001:published',
        revisable: true,
      }),
    ]);
    expect(isSettled(upload)).toBe(true);
  });

  it('a stream scheduled is announced with its start time and is watched', () => {
    const upcoming = video({ liveBroadcastContent: 'upcoming' }, { scheduledStartTime: '2026-11-28T18:00:00Z' });
    expect(eventsOfVideo(upcoming)).toEqual([
      expect.objectContaining({ type: 'youtube.stream.scheduled', payload: expect.objectContaining({ scheduledStartTime: '2026-11-28T18:00:00.000Z' }) }),
    ]);
    expect(isSettled(upcoming)).toBe(false);
  });

  it('a live stream has started (at its actual start), and is still watched', () => {
    const live = video({ liveBroadcastContent: 'live' }, { scheduledStartTime: '2026-11-28T18:00:00Z', actualStartTime: '2026-11-28T18:02:00Z' });
    expect(eventsOfVideo(live).map((event) => [event.type, event.occurredAt.toISOString()])).toEqual([['youtube.stream.started', '2026-11-28T18:02:00.000Z']]);
    expect(isSettled(live)).toBe(false);
  });

  it('an ended stream gives its start (in case it was missed) and its end with the length; settled', () => {
    const ended = video({ liveBroadcastContent: 'none' }, { actualStartTime: '2026-11-28T18:02:00Z', actualEndTime: '2026-11-28T19:33:30Z' });
    const events = eventsOfVideo(ended);
    expect(events.map((event) => event.type)).toEqual(['youtube.stream.started', 'youtube.stream.ended']);
    expect(events[1]!.payload).toMatchObject({ durationSeconds: 5490, durationMinutes: 91 });
    expect(isSettled(ended)).toBe(true);
  });

  it('a live or upcoming video without live details gives nothing yet', () => {
    expect(eventsOfVideo(video({ liveBroadcastContent: 'upcoming' }))).toEqual([]);
  });
});
