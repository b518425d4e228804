import type { NormalizedEvent, SyncLink, SyncMethod, SyncResult } from '@activity/connector-sdk';
import { parseInstant } from '@activity/domain';
import type { HelixClient } from './helix-client';

/** Clips appear in Helix a little after they are made: each sync looks back this far past the last one. */
const OVERLAP_MS = 10 * 60_000;
const MAX_PAGES = 20;

/**
 * The broadcaster's new clips, from `GET /clips?broadcaster_id=&started_at=` with cursor
 * pagination. Idempotent: a clip's event id is its clip id, and clips already seen in the overlap
 * are remembered, so an unchanged re-sync yields nothing.
 */
export class TwitchClipsSync implements SyncMethod {
  constructor(
    private readonly helix: HelixClient,
    private readonly options: { readonly backfillDays: number },
  ) {}

  async run(link: SyncLink, state: Record<string, unknown>, now = new Date()): Promise<SyncResult> {
    const callsBefore = this.helix.calls;
    const lastSync = typeof state['clipsSyncedAt'] === 'string' ? parseInstant(state['clipsSyncedAt']) : null;
    const since = lastSync ? new Date(lastSync.getTime() - OVERLAP_MS) : new Date(now.getTime() - this.options.backfillDays * 86_400_000);
    const seen = new Set(Array.isArray(state['recentClips']) ? (state['recentClips'] as unknown[]).filter((id): id is string => typeof id === 'string') : []);
    const events: NormalizedEvent[] = [];
    const recent: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const answer = await this.helix.clips(link.externalId, since.toISOString(), after);
      for (const clip of answer.data) {
        const createdAt = parseInstant(clip.created_at);
        if (!createdAt) continue;
        if (createdAt.getTime() >= now.getTime() - OVERLAP_MS) recent.push(clip.id);
        if (seen.has(clip.id)) continue;
        seen.add(clip.id);
        events.push({
          source: 'twitch',
          sourceEventId: `twitch:clip:${clip.id}`,
          type: 'twitch.clip.created',
          externalAccountId: link.externalId,
          actor: { type: 'Person', id: `twitch:user:${clip.broadcaster_id}`, name: clip.broadcaster_name },
          object: { type: 'Video', id: `twitch:clip:${clip.id}`, name: clip.title, url: clip.url },
          occurredAt: createdAt,
          payload: {
            clipId: clip.id,
            url: clip.url,
            title: clip.title,
            creator: clip.creator_name,
            views: clip.view_count,
            durationSeconds: clip.duration,
            thumbnailUrl: clip.thumbnail_url,
          },
        });
      }
      after = answer.pagination?.cursor;
      if (!after || answer.data.length === 0) break;
    }
    return { events, state: { ...state, clipsSyncedAt: now.toISOString(), recentClips: recent.slice(-500) }, outcome: 'ok', apiCalls: this.helix.calls - callsBefore };
  }
}
