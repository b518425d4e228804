import type { Logger } from 'pino';
import { SharedUpstreamBuckets, waitForSharedDeadline, type RateGate, type SharedState } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import type { TwitchAppToken } from './twitch-app-token';

/** Helix has one bucket per client id for app tokens. */
const BUCKET = 'app';

export interface HelixUser {
  readonly id: string;
  readonly login: string;
  readonly display_name: string;
}

export interface HelixClip {
  readonly id: string;
  readonly url: string;
  readonly broadcaster_id: string;
  readonly broadcaster_name: string;
  readonly creator_id: string;
  readonly creator_name: string;
  readonly game_id: string;
  readonly title: string;
  readonly view_count: number;
  readonly created_at: string;
  readonly thumbnail_url: string;
  readonly duration: number;
}

export interface HelixEventSubSubscription {
  readonly id: string;
  readonly status: string;
  readonly type: string;
  readonly version: string;
  readonly condition: Record<string, string>;
  readonly transport: { readonly method: string; readonly callback?: string };
  readonly created_at: string;
}

interface HelixPage<T> {
  readonly data: T[];
  readonly pagination?: { readonly cursor?: string };
}

export interface HelixClientOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly timeoutMs: number;
  /** Longest a call waits for the shared bucket to refill before it fails (a 503 the caller may retry). */
  readonly maxWaitMs: number;
}

/**
 * Helix: every call with `Client-Id` and a bearer (the app token unless a player's is given); the
 * `Ratelimit-Remaining`/`-Reset` of each answer are shared by every replica (an empty bucket waits
 * for its reset instead of earning a 429; a 429 waits the same way and tries again); an app token
 * Helix refuses (401) is replaced once. Counts its calls for the sync run.
 */
export class HelixClient {
  calls = 0;
  private readonly buckets: SharedUpstreamBuckets;

  constructor(
    private readonly options: HelixClientOptions,
    private readonly appToken: TwitchAppToken,
    state: SharedState,
    private readonly gate: RateGate,
    private readonly logger: Logger,
  ) {
    this.buckets = new SharedUpstreamBuckets(state);
  }

  async usersByLogin(login: string): Promise<HelixUser | null> {
    return (await this.request<HelixPage<HelixUser>>('GET', '/users', { login })).data[0] ?? null;
  }

  async usersById(id: string): Promise<HelixUser | null> {
    return (await this.request<HelixPage<HelixUser>>('GET', '/users', { id })).data[0] ?? null;
  }

  /** The player a user token belongs to. */
  async me(userToken: string): Promise<HelixUser> {
    const user = (await this.request<HelixPage<HelixUser>>('GET', '/users', {}, { userToken })).data[0];
    if (!user) throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
    return user;
  }

  clips(broadcasterId: string, startedAt: string, after?: string): Promise<HelixPage<HelixClip>> {
    return this.request('GET', '/clips', { broadcaster_id: broadcasterId, started_at: startedAt, first: '100', ...(after ? { after } : {}) });
  }

  /** Every page of our EventSub subscriptions for a broadcaster. */
  async subscriptionsOf(broadcasterId: string): Promise<HelixEventSubSubscription[]> {
    const found: HelixEventSubSubscription[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const answer = await this.request<HelixPage<HelixEventSubSubscription>>('GET', '/eventsub/subscriptions', { user_id: broadcasterId, ...(after ? { after } : {}) });
      found.push(...answer.data);
      after = answer.pagination?.cursor;
      if (!after) break;
    }
    return found;
  }

  async createSubscription(subscription: {
    type: string;
    version: string;
    condition: Record<string, string>;
    callback: string;
    secret: string;
  }): Promise<HelixEventSubSubscription> {
    const answer = await this.request<HelixPage<HelixEventSubSubscription>>(
      'POST',
      '/eventsub/subscriptions',
      {},
      {
        body: {
          type: subscription.type,
          version: subscription.version,
          condition: subscription.condition,
          transport: { method: 'webhook', callback: subscription.callback, secret: subscription.secret },
        },
      },
    );
    const created = answer.data[0];
    if (!created) throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
    return created;
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.request('DELETE', '/eventsub/subscriptions', { id }, { allowNotFound: true });
  }

  private async request<T>(method: string, path: string, query: Record<string, string>, options: { userToken?: string; body?: unknown; allowNotFound?: boolean } = {}): Promise<T> {
    let renewedToken = false;
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForBucket();
      await this.gate.acquire(this.options.maxWaitMs);
      const token = options.userToken ?? (await this.appToken.get());
      const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}${path}`);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      let response: Response;
      this.calls += 1;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'client-id': this.options.clientId,
            accept: 'application/json',
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch {
        throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
      }
      await this.learn(response.headers);
      if (response.status === 204 || (options.allowNotFound && response.status === 404)) return undefined as T;
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : {}) as T;
      if (response.status === 401 && !options.userToken && !renewedToken) {
        // The app token expired or was revoked early: ask for a new one, once.
        renewedToken = true;
        this.appToken.invalidate(token);
        continue;
      }
      if (response.status === 429 && attempt < 3) {
        this.logger.warn({ path, attempt }, 'Helix rate limited a call; waiting for the bucket to reset');
        continue;
      }
      if (response.status === 401 && options.userToken) throw new DomainError('link_reauthorization_required', { provider: 'Twitch' });
      this.logger.warn({ path, status: response.status, body: text.slice(0, 200) }, 'Helix refused a call');
      throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
    }
  }

  private async learn(headers: Headers): Promise<void> {
    const remaining = headers.get('ratelimit-remaining');
    const reset = Number(headers.get('ratelimit-reset'));
    if (remaining === null || !Number.isFinite(reset)) return;
    await this.buckets.record(BUCKET, Number(remaining), reset * 1000);
  }

  private waitForBucket(): Promise<void> {
    return waitForSharedDeadline(() => this.buckets.emptyUntil(BUCKET), this.options.maxWaitMs, 'Twitch');
  }
}
