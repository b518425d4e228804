import type { SyncLink } from './sync';

/** An upstream push subscription (Twitch EventSub, a WebSub lease) as we keep it. */
export interface UpstreamSubscription {
  /** The platform's id for it (or the topic, where the platform has none). */
  readonly id: string;
  readonly kind: string;
  readonly status: 'pending' | 'enabled' | 'revoked' | 'failed';
  /** When the lease ends; renew before it. Absent: it does not expire. */
  readonly expiresAt?: Date;
  /** Why it is revoked or failed, shown on the link. */
  readonly reason?: string;
}

/**
 * Push subscriptions a link needs, with their lifecycle: created when the account is linked,
 * verified through the webhook handshake, renewed `renewBeforeSeconds` before the lease ends,
 * reconciled periodically (recreate missing or revoked ones), deleted on unlink.
 */
export interface SubscriptionLifecycle {
  readonly renewBeforeSeconds: number;
  /** The subscriptions a link should have, created where missing; `callbackUrl` is the source's intake route. */
  ensure(link: SyncLink, callbackUrl: string, known: readonly UpstreamSubscription[]): Promise<UpstreamSubscription[]>;
  renew(link: SyncLink, callbackUrl: string, subscription: UpstreamSubscription): Promise<UpstreamSubscription>;
  /** What the platform says exists now (to find revoked or lost subscriptions). */
  list(link: SyncLink): Promise<UpstreamSubscription[]>;
  remove(link: SyncLink, subscription: UpstreamSubscription): Promise<void>;
}
