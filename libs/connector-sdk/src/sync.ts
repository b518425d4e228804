import type { NormalizedEvent } from './webhook';

export interface SyncLink {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly externalId: string;
  /** OAuth2 links: a fresh access token (refreshed before expiry by the platform). */
  readonly accessToken?: () => Promise<string>;
}

/**
 * `ok`: synced. `private`: the account hides what we need (not an error: nothing to retry until
 * the player changes their settings). The status is stored on the link and shown to the player.
 */
export type SyncOutcome = 'ok' | 'private';

export interface SyncResult {
  readonly events: NormalizedEvent[];
  /** Stored on the link and handed back next time: what was already seen. */
  readonly state: Record<string, unknown>;
  readonly outcome: SyncOutcome;
  readonly apiCalls: number;
}

/** Pulls one linked account; must be idempotent: unchanged upstream data yields no events. */
export interface SyncMethod {
  run(link: SyncLink, state: Record<string, unknown>): Promise<SyncResult>;
}
