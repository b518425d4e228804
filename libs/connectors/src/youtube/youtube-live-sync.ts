import type { NormalizedEvent, SyncLink, SyncMethod, SyncResult } from '@activity/connector-sdk';
import type { YouTubeDataApiClient } from './youtube-data-api';
import type { YouTubeLiveWatch } from './youtube-live-watch';
import { eventsOfVideo, isSettled } from './youtube-video-events';

/**
 * Live detection for a linked channel. WebSub tells of new videos (a scheduled stream arrives as
 * an ordinary entry) but not of a stream starting or ending, so each sync re-checks the channel's
 * watched videos with `videos.list` (1 unit per 50): scheduled → started → ended, each once.
 * A link's first sync also asks `search.list` for a stream already live (the costly call, once).
 * Unchanged videos yield nothing (fixed event ids).
 */
export class YouTubeLiveSync implements SyncMethod {
  constructor(
    private readonly api: YouTubeDataApiClient,
    private readonly watch: YouTubeLiveWatch,
  ) {}

  async run(link: SyncLink, state: Record<string, unknown>): Promise<SyncResult> {
    const channelId = link.externalId;
    let apiCalls = 0;
    if (state['searchedLive'] !== true) {
      await this.watch.add(channelId, await this.api.liveVideoIds(channelId));
      apiCalls += 1;
    }
    const watched = await this.watch.watched(channelId);
    const events: NormalizedEvent[] = [];
    const done: string[] = [];
    if (watched.length) {
      const videos = await this.api.videos(watched);
      apiCalls += Math.ceil(watched.length / 50);
      const found = new Set(videos.map((video) => video.id));
      // Deleted, private or another channel's: nothing to watch.
      done.push(...watched.filter((id) => !found.has(id)));
      for (const video of videos) {
        if (video.snippet.channelId !== channelId) {
          done.push(video.id);
          continue;
        }
        events.push(...eventsOfVideo(video));
        if (isSettled(video)) done.push(video.id);
      }
      await this.watch.remove(channelId, done);
    }
    return { events, state: { ...state, searchedLive: true }, outcome: 'ok', apiCalls };
  }
}
