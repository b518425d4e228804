import { compositeKey } from '@activity/domain';
import type { FeedReadMarkerStore } from '@activity/persistence';
import type { GenerationalCache } from '@activity/platform';

/** Counts above this are reported as "1000+": exact numbers past it cost more than a badge is worth. */
export const UNREAD_CAP = 1000;

export interface UnreadCount {
  /** Exact up to the cap, then the string "1000+". */
  readonly count: number | `${typeof UNREAD_CAP}+`;
  readonly capped: boolean;
}

/**
 * A user's unread count: counted in the database up to the cap, kept in the user's feed cache
 * (a variant next to the first pages) until feed.updated or a read-marker move drops it.
 */
export class UnreadCounter {
  constructor(
    private readonly markers: FeedReadMarkerStore,
    private readonly cache: GenerationalCache,
  ) {}

  async count(tenantId: string, userId: string): Promise<UnreadCount> {
    const count = await this.cache.get('unread', compositeKey(tenantId, userId), 'unread', async () => String(await this.markers.countUnread(tenantId, userId, UNREAD_CAP)));
    return present(Number(count));
  }

  /** Drops the user's cached count and first pages (never throws). */
  invalidate(tenantId: string, userId: string): Promise<void> {
    return this.cache.invalidate(compositeKey(tenantId, userId));
  }
}

function present(count: number): UnreadCount {
  return count > UNREAD_CAP ? { count: `${UNREAD_CAP}+`, capped: true } : { count, capped: false };
}
