import type { SubscriptionIntake, SubscriptionLifecycle, SyncLink, UpstreamSubscription } from '@activity/connector-sdk';
import type { HelixClient, HelixEventSubSubscription } from './helix-client';

/** What each linked broadcaster is subscribed to. */
export const TWITCH_SUBSCRIPTION_TYPES = [
  { type: 'stream.online', version: '1' },
  { type: 'stream.offline', version: '1' },
  { type: 'channel.update', version: '2' },
] as const;

/**
 * EventSub subscriptions per linked broadcaster, created with the app token: on each run the
 * ones Twitch lists for our callback are kept when enabled or awaiting verification; missing,
 * revoked or failed ones are deleted and created again (a type Twitch refuses is reported as
 * failed, with its reason). Unlinking deletes them.
 */
export class TwitchEventSubLifecycle implements SubscriptionLifecycle {
  readonly renewBeforeSeconds = 0;

  constructor(private readonly helix: HelixClient) {}

  // What Twitch lists is the truth; what we stored (`known`) is not needed to reconcile it.
  async ensure(link: SyncLink, intake: SubscriptionIntake, _known: readonly UpstreamSubscription[] = []): Promise<UpstreamSubscription[]> {
    const ours = (await this.helix.subscriptionsOf(link.externalId)).filter(
      (subscription) => subscription.transport.method === 'webhook' && subscription.transport.callback === intake.callbackUrl,
    );
    const result: UpstreamSubscription[] = [];
    for (const wanted of TWITCH_SUBSCRIPTION_TYPES) {
      const live = ours.find(
        (subscription) => subscription.type === wanted.type && (subscription.status === 'enabled' || subscription.status === 'webhook_callback_verification_pending'),
      );
      for (const dead of ours.filter((subscription) => subscription.type === wanted.type && subscription !== live)) await this.helix.deleteSubscription(dead.id);
      if (live) {
        result.push(toUpstream(live));
        continue;
      }
      try {
        const created = await this.helix.createSubscription({
          type: wanted.type,
          version: wanted.version,
          condition: { broadcaster_user_id: link.externalId },
          callback: intake.callbackUrl,
          secret: intake.secret,
        });
        result.push(toUpstream(created));
      } catch (error) {
        result.push({ id: `${wanted.type}:${link.externalId}`, kind: wanted.type, status: 'failed', reason: (error as Error).message.slice(0, 200) });
      }
    }
    return result;
  }

  async remove(_link: SyncLink, _intake: SubscriptionIntake | null, subscription: UpstreamSubscription): Promise<void> {
    // A subscription that never existed at Twitch (creation failed) has nothing to delete.
    if (/^[0-9a-f-]{36}$/i.test(subscription.id)) await this.helix.deleteSubscription(subscription.id);
  }
}

function toUpstream(subscription: HelixEventSubSubscription): UpstreamSubscription {
  const status =
    subscription.status === 'enabled'
      ? 'enabled'
      : subscription.status === 'webhook_callback_verification_pending'
        ? 'pending'
        : subscription.status === 'webhook_callback_verification_failed'
          ? 'failed'
          : 'revoked';
  return { id: subscription.id, kind: subscription.type, status, ...(status === 'revoked' || status === 'failed' ? { reason: subscription.status } : {}) };
}
