import type { SharedState } from '@activity/connector-sdk';

const WATCH_TTL_MS = 14 * 86_400_000;
const MAX_WATCHED = 50;

/**
 * Videos of a channel still to be checked with the Data API: streams scheduled or live (a WebSub
 * notification does not come when they start or end) and entries that could not be confirmed
 * because the quota was used up. Kept in shared state, so the link's next sync, on any worker,
 * checks them; the newest 50 per channel, for two weeks.
 */
export class YouTubeLiveWatch {
  constructor(private readonly state: SharedState) {}

  async watched(channelId: string): Promise<string[]> {
    const raw = await this.state.get(`watch:${channelId}`);
    try {
      const ids = raw ? (JSON.parse(raw) as unknown) : [];
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return [];
    }
  }

  async add(channelId: string, videoIds: readonly string[]): Promise<void> {
    if (videoIds.length === 0) return;
    const current = await this.watched(channelId);
    await this.write(channelId, [...new Set([...videoIds, ...current])]);
  }

  /** Stops watching videos that settled (or are gone); what was added meanwhile stays. */
  async remove(channelId: string, videoIds: readonly string[]): Promise<void> {
    if (videoIds.length === 0) return;
    const done = new Set(videoIds);
    await this.write(
      channelId,
      (await this.watched(channelId)).filter((id) => !done.has(id)),
    );
  }

  private async write(channelId: string, ids: readonly string[]): Promise<void> {
    await this.state.set(`watch:${channelId}`, JSON.stringify(ids.slice(0, MAX_WATCHED)), WATCH_TTL_MS);
  }
}
