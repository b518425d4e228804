import type { SubscriptionIntake, SubscriptionLifecycle, SyncLink, UpstreamSubscription } from '@activity/connector-sdk';
import type { UpstreamHttp } from '../upstream/upstream-http';
import { youTubeTopicOf } from './youtube-channel-input';

export interface YouTubeWebSubLifecycleOptions {
  readonly hubUrl: string;
  readonly leaseSeconds: number;
  readonly renewBeforeSeconds: number;
}

/**
 * One WebSub lease per linked channel (its uploads feed), at the hub: planned (stored as pending)
 * before asking, so the hub's intent verification finds the topic; asked for again when missing,
 * denied or failed, and renewed when the lease ends within `renewBeforeSeconds`; unsubscribed on
 * unlink. The hub answers 202 and verifies afterwards (or 204 having verified already): the
 * verification, through YouTubeWebSub's handshake, is what confirms it with its lease.
 */
export class YouTubeWebSubLifecycle implements SubscriptionLifecycle {
  readonly renewBeforeSeconds: number;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly options: YouTubeWebSubLifecycleOptions,
  ) {
    this.renewBeforeSeconds = options.renewBeforeSeconds;
  }

  plan(link: SyncLink, known: readonly UpstreamSubscription[], now = new Date()): UpstreamSubscription[] {
    const current = this.current(link, known, now);
    return [current ?? { id: youTubeTopicOf(link.externalId), kind: 'videos', status: 'pending' }];
  }

  async ensure(link: SyncLink, intake: SubscriptionIntake, known: readonly UpstreamSubscription[], now = new Date()): Promise<UpstreamSubscription[]> {
    const current = this.current(link, known, now);
    if (current) return [current];
    const topic = youTubeTopicOf(link.externalId);
    try {
      await this.ask('subscribe', topic, intake);
    } catch (error) {
      return [{ id: topic, kind: 'videos', status: 'failed', reason: (error as Error).message.slice(0, 200) }];
    }
    // Renewing keeps a live lease live until the hub confirms the new one.
    const renewing = known.find((subscription) => subscription.id === topic && subscription.status === 'enabled');
    return [renewing ?? { id: topic, kind: 'videos', status: 'pending' }];
  }

  async remove(link: SyncLink, intake: SubscriptionIntake | null, subscription: UpstreamSubscription): Promise<void> {
    // Without a source there is no callback to unsubscribe: the lease runs out by itself.
    if (!intake) return;
    await this.ask('unsubscribe', subscription.id || youTubeTopicOf(link.externalId), intake);
  }

  /** The link's enabled lease that does not need renewing yet, if any. */
  private current(link: SyncLink, known: readonly UpstreamSubscription[], now: Date): UpstreamSubscription | undefined {
    const topic = youTubeTopicOf(link.externalId);
    return known.find(
      (subscription) =>
        subscription.id === topic &&
        subscription.status === 'enabled' &&
        (!subscription.expiresAt || subscription.expiresAt.getTime() - now.getTime() > this.renewBeforeSeconds * 1000),
    );
  }

  private async ask(mode: 'subscribe' | 'unsubscribe', topic: string, intake: SubscriptionIntake): Promise<void> {
    const form = new URLSearchParams({
      'hub.mode': mode,
      'hub.topic': topic,
      'hub.callback': intake.callbackUrl,
      'hub.verify': 'async',
      ...(mode === 'subscribe' ? { 'hub.lease_seconds': String(this.options.leaseSeconds), 'hub.secret': intake.secret } : {}),
    });
    await this.http.execute(
      mode,
      new URL(this.options.hubUrl),
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
      async (response) => {
        const text = await response.text().catch(() => '');
        // 202: verification follows; 204: verified already (sync).
        if (response.status !== 202 && response.status !== 204) throw new Error(`the hub refused ${mode}: HTTP ${response.status} ${text.slice(0, 120)}`.trim());
      },
    );
  }
}
