import type { SyncLink } from './sync';

/** An upstream push subscription (Twitch EventSub, a WebSub lease) as we keep it. */
export interface UpstreamSubscription {
  /** The platform's id for it (Twitch's subscription id; for WebSub, the topic URL). */
  readonly id: string;
  /** What it delivers (`stream.online`, `videos`). */
  readonly kind: string;
  readonly status: 'pending' | 'enabled' | 'revoked' | 'failed';
  /** When the lease ends; renewed before it. Absent: it does not expire. */
  readonly expiresAt?: Date;
  /** Why it is revoked or failed, shown on the link. */
  readonly reason?: string;
}

/** Where the platform delivers: the tenant's intake route for the connector, and the secret it signs with. */
export interface SubscriptionIntake {
  readonly sourceId: string;
  readonly callbackUrl: string;
  readonly secret: string;
}

/**
 * Push subscriptions a link needs, with their lifecycle. connector-workers call `ensure` when the
 * account is linked and on every periodic run of the link (reconcile: what the platform lost or
 * revoked is created again, leases ending within `renewBeforeSeconds` are renewed), and `remove`
 * for each one when the link is revoked. What `ensure` answers is stored (`upstream_subscriptions`)
 * and handed back next time as `known`.
 */
export interface SubscriptionLifecycle {
  readonly renewBeforeSeconds: number;
  /**
   * The subscriptions `ensure` is about to ask for, stored (as `pending` unless already enabled)
   * before it runs: a platform that verifies intent while the request is still open (a WebSub hub
   * calling back to confirm) finds them. What the platform settles during `ensure` (confirmed,
   * denied) wins over what `ensure` answers.
   */
  plan?(link: SyncLink, known: readonly UpstreamSubscription[], now?: Date): UpstreamSubscription[];
  ensure(link: SyncLink, intake: SubscriptionIntake, known: readonly UpstreamSubscription[], now?: Date): Promise<UpstreamSubscription[]>;
  remove(link: SyncLink, intake: SubscriptionIntake | null, subscription: UpstreamSubscription): Promise<void>;
}
