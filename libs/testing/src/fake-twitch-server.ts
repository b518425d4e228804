import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-http-server';

export interface FakeTwitchUser {
  id: string;
  login: string;
  display_name: string;
}

export interface FakeTwitchClip {
  id: string;
  url: string;
  embed_url: string;
  broadcaster_id: string;
  broadcaster_name: string;
  creator_id: string;
  creator_name: string;
  video_id: string;
  game_id: string;
  language: string;
  title: string;
  view_count: number;
  created_at: string;
  thumbnail_url: string;
  duration: number;
  vod_offset: number | null;
  is_featured: boolean;
}

export interface FakeEventSubSubscription {
  id: string;
  status: string;
  type: string;
  version: string;
  cost: number;
  condition: Record<string, string>;
  transport: { method: 'webhook'; callback: string };
  created_at: string;
  /** Kept by the fake to sign deliveries; never listed. */
  secret: string;
}

/** What the fake's EventSub sender got back for a message. */
export interface FakeEventSubDelivery {
  messageId: string;
  type: string;
  status: number;
  contentType: string | null;
  body: string;
}

/** `sha256=` HMAC-SHA256 over message id + timestamp + raw body, as Twitch signs EventSub messages. */
export function signTwitchEventSub(secret: string, messageId: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(messageId).update(timestamp).update(body).digest('hex')}`;
}

/** Twitch's timestamps carry nanoseconds. */
function twitchTimestamp(at = new Date()): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, (_match, millis: string) => `.${millis}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}Z`);
}

/**
 * Twitch over real HTTP, as PLATFORMS.md §3 describes it:
 * - OAuth2 (`/oauth2/token`): client credentials give app tokens with no refresh token (their
 *   lifetime is a knob, and `expireAppTokens()` makes Helix refuse them), and authorization codes
 *   from `/oauth2/authorize`;
 * - Helix (`/helix/...`): every call needs a bearer and `Client-Id`; `Ratelimit-*` headers on each
 *   answer, 429s on demand; `GET /users`, `GET /clips` with `started_at` and cursor pages, and
 *   `GET/POST/DELETE /eventsub/subscriptions`;
 * - an EventSub sender: a new subscription is verified with `webhook_callback_verification` (the
 *   answer must be 2xx, `text/plain`, the exact challenge), then `notify()` sends signed
 *   notifications, `redeliver()` the same message again, `revoke()` a revocation.
 */
export class FakeTwitchServer {
  readonly clientId = 'fakeclientid0123456789abcdef';
  readonly clientSecret = 'fake-twitch-client-secret';
  readonly users = new Map<string, FakeTwitchUser>();
  readonly clips: FakeTwitchClip[] = [];
  readonly subscriptions = new Map<string, FakeEventSubSubscription>();
  readonly deliveries: FakeEventSubDelivery[] = [];
  readonly requests: Array<{ method: string; path: string; query: Record<string, string>; authorization?: string; clientId?: string; at: number }> = [];
  appTokenLifetimeSeconds = 5_011_271;
  /** Answer the next N Helix calls with 429 (and a bucket that resets in `rateLimitResetSeconds`). */
  rateLimitNext = 0;
  rateLimitResetSeconds = 1;
  clipsPageSize = 2;
  /** Who consents at the authorize page. */
  consentAs: string | undefined;
  appTokensIssued = 0;
  private readonly appTokens = new Map<string, number>();
  private readonly userTokens = new Map<string, string>();
  private readonly codes = new Map<string, string>();
  private readonly sent = new Map<string, { subscriptionId: string; timestamp: string; body: string }>();
  private server!: Server;
  private port = 0;

  static async start(port = 0): Promise<FakeTwitchServer> {
    const fake = new FakeTwitchServer();
    ({ server: fake.server, port: fake.port } = await listenOnLoopback(port, (request, response, raw) => fake.handle(request, response, raw)));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get helixUrl(): string {
    return `${this.url}/helix`;
  }

  get authUrl(): string {
    return `${this.url}/oauth2`;
  }

  /** The environment a service needs to use this fake. */
  settings(): Record<string, string> {
    return { TWITCH_API_BASE_URL: this.helixUrl, TWITCH_AUTH_BASE_URL: this.authUrl, TWITCH_CLIENT_ID: this.clientId, TWITCH_CLIENT_SECRET: this.clientSecret };
  }

  addUser(user: FakeTwitchUser): FakeTwitchUser {
    this.users.set(user.id, user);
    return user;
  }

  addClip(broadcasterId: string, clip: Partial<FakeTwitchClip> & { id: string; created_at: string }): FakeTwitchClip {
    const broadcaster = this.users.get(broadcasterId);
    const full: FakeTwitchClip = {
      url: `https://clips.twitch.tv/${clip.id}`,
      embed_url: `https://clips.twitch.tv/embed?clip=${clip.id}`,
      broadcaster_id: broadcasterId,
      broadcaster_name: broadcaster?.display_name ?? broadcasterId,
      creator_id: '53834192',
      creator_name: 'BlackNova03',
      video_id: '205586603',
      game_id: '488191',
      language: 'en',
      title: 'babymetal',
      view_count: 10,
      thumbnail_url: 'https://clips-media-assets.twitch.tv/157589949-preview-480x272.jpg',
      duration: 60,
      vod_offset: 480,
      is_featured: false,
      ...clip,
    };
    this.clips.push(full);
    return full;
  }

  /** Helix refuses every app token issued so far (as when they expire early). */
  expireAppTokens(): void {
    this.appTokens.clear();
  }

  /** Sends a signed notification to every enabled subscription of this type for the broadcaster; answers the message ids. */
  async notify(type: string, broadcasterId: string, event: Record<string, unknown>): Promise<string[]> {
    const ids: string[] = [];
    for (const subscription of this.subscriptions.values()) {
      if (subscription.type !== type || subscription.condition['broadcaster_user_id'] !== broadcasterId || subscription.status !== 'enabled') continue;
      const messageId = randomUUID();
      const body = JSON.stringify({ subscription: this.listed(subscription), event });
      await this.send(subscription, 'notification', messageId, twitchTimestamp(), body);
      ids.push(messageId);
    }
    return ids;
  }

  /** Sends a message again, same id and timestamp (Twitch's retry). */
  async redeliver(messageId: string): Promise<FakeEventSubDelivery> {
    const message = this.sent.get(messageId);
    const subscription = message && this.subscriptions.get(message.subscriptionId);
    if (!message || !subscription) throw new Error(`no message ${messageId}`);
    return this.send(subscription, 'notification', messageId, message.timestamp, message.body);
  }

  /** Twitch ends a subscription and says so. */
  async revoke(subscriptionId: string, status = 'authorization_revoked'): Promise<FakeEventSubDelivery> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    subscription.status = status;
    return this.send(subscription, 'revocation', randomUUID(), twitchTimestamp(), JSON.stringify({ subscription: this.listed(subscription) }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async send(subscription: FakeEventSubSubscription, type: string, messageId: string, timestamp: string, body: string): Promise<FakeEventSubDelivery> {
    this.sent.set(messageId, { subscriptionId: subscription.id, timestamp, body });
    let delivery: FakeEventSubDelivery;
    try {
      const response = await fetch(subscription.transport.callback, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'twitch-eventsub-message-id': messageId,
          'twitch-eventsub-message-retry': '0',
          'twitch-eventsub-message-type': type,
          'twitch-eventsub-message-signature': signTwitchEventSub(subscription.secret, messageId, timestamp, body),
          'twitch-eventsub-message-timestamp': timestamp,
          'twitch-eventsub-subscription-type': subscription.type,
          'twitch-eventsub-subscription-version': subscription.version,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      delivery = { messageId, type, status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
    } catch (error) {
      delivery = { messageId, type, status: 0, contentType: null, body: (error as Error).message };
    }
    this.deliveries.push(delivery);
    return delivery;
  }

  private listed(subscription: FakeEventSubSubscription): Omit<FakeEventSubSubscription, 'secret'> {
    const { secret: _secret, ...shown } = subscription;
    return shown;
  }

  private async handle(request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({
      method: request.method ?? 'GET',
      path,
      query,
      at: Date.now(),
      ...(request.headers['authorization'] ? { authorization: request.headers['authorization'] } : {}),
      ...(request.headers['client-id'] ? { clientId: String(request.headers['client-id']) } : {}),
    });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
    };
    if (path === '/oauth2/token' && request.method === 'POST') return this.token(raw, json);
    if (path === '/oauth2/authorize' && request.method === 'GET') return this.authorize(url, response);
    if (path === '/oauth2/revoke' && request.method === 'POST') return json(200, undefined);
    if (path === '/_fake/notify' && request.method === 'POST') {
      // The demo's button: a signed notification to every enabled subscription of that type.
      const body = JSON.parse(raw || '{}') as { type?: string; broadcasterId?: string; event?: Record<string, unknown> };
      const user = body.broadcasterId ? this.users.get(body.broadcasterId) : undefined;
      if (!body.type || !user) return json(400, { message: 'type and a known broadcasterId are required' });
      const event = {
        ...(body.type === 'stream.online' ? { id: randomBytes(5).toString('hex'), type: 'live', started_at: new Date().toISOString() } : {}),
        broadcaster_user_id: user.id,
        broadcaster_user_login: user.login,
        broadcaster_user_name: user.display_name,
        ...body.event,
      };
      return json(200, { messages: await this.notify(body.type, user.id, event), deliveries: this.deliveries.slice(-3) });
    }
    if (!path.startsWith('/helix/')) return json(404, { error: 'Not Found', status: 404, message: '' });

    const reset = String(Math.ceil(Date.now() / 1000) + this.rateLimitResetSeconds);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      return json(
        429,
        { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' },
        { 'ratelimit-limit': '800', 'ratelimit-remaining': '0', 'ratelimit-reset': reset },
      );
    }
    const limits = { 'ratelimit-limit': '800', 'ratelimit-remaining': '799', 'ratelimit-reset': reset };
    if (request.headers['client-id'] !== this.clientId) return json(401, { error: 'Unauthorized', status: 401, message: 'Client-Id header is missing' }, limits);
    const bearer = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '')?.[1];
    if (!bearer) return json(401, { error: 'Unauthorized', status: 401, message: 'OAuth token is missing' }, limits);
    const appExpiry = this.appTokens.get(bearer);
    const userId = this.userTokens.get(bearer);
    if (!(appExpiry && appExpiry > Date.now()) && !userId) return json(401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' }, limits);

    if (path === '/helix/users' && request.method === 'GET') {
      const found = query['login']
        ? [...this.users.values()].filter((user) => user.login === query['login'])
        : query['id']
          ? [this.users.get(query['id'])].filter(Boolean)
          : userId
            ? [this.users.get(userId)].filter(Boolean)
            : [];
      return json(200, { data: found.map((user) => ({ ...user, type: '', broadcaster_type: '', description: '', created_at: '2016-12-14T20:32:28Z' })) }, limits);
    }
    if (path === '/helix/clips' && request.method === 'GET') {
      if (!query['broadcaster_id']) return json(400, { error: 'Bad Request', status: 400, message: 'Missing required parameter "broadcaster_id"' }, limits);
      const since = query['started_at'] ? Date.parse(query['started_at']) : 0;
      const matching = this.clips.filter((clip) => clip.broadcaster_id === query['broadcaster_id'] && Date.parse(clip.created_at) >= since);
      const offset = query['after'] ? Number(Buffer.from(query['after'], 'base64url').toString('utf8')) : 0;
      const page = matching.slice(offset, offset + this.clipsPageSize);
      const next = offset + this.clipsPageSize < matching.length ? Buffer.from(String(offset + this.clipsPageSize)).toString('base64url') : undefined;
      return json(200, { data: page, pagination: next ? { cursor: next } : {} }, limits);
    }
    if (path === '/helix/eventsub/subscriptions') {
      if (!appExpiry) return json(401, { error: 'Unauthorized', status: 401, message: 'An app access token is required' }, limits);
      if (request.method === 'GET') {
        const listed = [...this.subscriptions.values()].filter((subscription) => !query['user_id'] || subscription.condition['broadcaster_user_id'] === query['user_id']);
        return json(200, { data: listed.map((subscription) => this.listed(subscription)), total: listed.length, total_cost: 0, max_total_cost: 10_000, pagination: {} }, limits);
      }
      if (request.method === 'DELETE') {
        if (!this.subscriptions.delete(query['id'] ?? '')) return json(404, { error: 'Not Found', status: 404, message: 'subscription not found' }, limits);
        return json(204, undefined, limits);
      }
      if (request.method === 'POST') return this.subscribe(raw, json, limits);
    }
    return json(404, { error: 'Not Found', status: 404, message: '' }, limits);
  }

  private async subscribe(raw: string, json: (status: number, body: unknown, headers?: Record<string, string>) => void, limits: Record<string, string>): Promise<void> {
    const body = JSON.parse(raw || '{}') as {
      type?: string;
      version?: string;
      condition?: Record<string, string>;
      transport?: { method?: string; callback?: string; secret?: string };
    };
    const secret = body.transport?.secret ?? '';
    if (!body.type || !body.version || !body.condition?.['broadcaster_user_id'] || body.transport?.method !== 'webhook' || !body.transport.callback)
      return json(400, { error: 'Bad Request', status: 400, message: 'invalid subscription' }, limits);
    if (secret.length < 10 || secret.length > 100 || !/^[\x20-\x7e]+$/.test(secret))
      return json(400, { error: 'Bad Request', status: 400, message: 'secret must be 10-100 ASCII characters' }, limits);
    const duplicate = [...this.subscriptions.values()].find(
      (existing) =>
        existing.type === body.type &&
        existing.condition['broadcaster_user_id'] === body.condition!['broadcaster_user_id'] &&
        existing.transport.callback === body.transport!.callback,
    );
    if (duplicate) return json(409, { error: 'Conflict', status: 409, message: 'subscription already exists' }, limits);
    const subscription: FakeEventSubSubscription = {
      id: randomUUID(),
      status: 'webhook_callback_verification_pending',
      type: body.type,
      version: body.version,
      cost: 0,
      condition: body.condition,
      transport: { method: 'webhook', callback: body.transport.callback },
      created_at: twitchTimestamp(),
      secret,
    };
    this.subscriptions.set(subscription.id, subscription);
    json(202, { data: [this.listed(subscription)], total: this.subscriptions.size, total_cost: 0, max_total_cost: 10_000 }, limits);
    // Twitch verifies the callback right after answering.
    const challenge = `pogchamp-kappa-360noscope-vohiyo-${randomBytes(4).toString('hex')}`;
    const verification = await this.send(
      subscription,
      'webhook_callback_verification',
      randomUUID(),
      twitchTimestamp(),
      JSON.stringify({ challenge, subscription: this.listed(subscription) }),
    );
    const verified = verification.status >= 200 && verification.status < 300 && (verification.contentType ?? '').startsWith('text/plain') && verification.body === challenge;
    subscription.status = verified ? 'enabled' : 'webhook_callback_verification_failed';
  }

  private token(raw: string, json: (status: number, body: unknown) => void): void {
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (form['client_id'] !== this.clientId || form['client_secret'] !== this.clientSecret) return json(400, { status: 400, message: 'invalid client secret' });
    if (form['grant_type'] === 'client_credentials') {
      const token = randomBytes(15).toString('hex');
      this.appTokens.set(token, Date.now() + this.appTokenLifetimeSeconds * 1000);
      this.appTokensIssued += 1;
      return json(200, { access_token: token, expires_in: this.appTokenLifetimeSeconds, token_type: 'bearer' });
    }
    if (form['grant_type'] === 'authorization_code') {
      const userId = this.codes.get(form['code'] ?? '');
      if (!userId) return json(400, { status: 400, message: 'Invalid authorization code' });
      this.codes.delete(form['code']!);
      const token = randomBytes(15).toString('hex');
      this.userTokens.set(token, userId);
      return json(200, { access_token: token, refresh_token: randomBytes(20).toString('hex'), expires_in: 14_400, scope: [], token_type: 'bearer' });
    }
    return json(400, { status: 400, message: 'unsupported grant type' });
  }

  private authorize(url: URL, response: ServerResponse): void {
    const redirect = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== this.clientId || !redirect) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid request');
      return;
    }
    const userId = this.consentAs ?? [...this.users.keys()][0]!;
    const code = randomBytes(15).toString('hex');
    this.codes.set(code, userId);
    const back = new URL(redirect);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    response.writeHead(302, { location: back.toString() }).end();
  }
}
