import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { signEd25519Hex } from '@activity/connector-sdk';

/** A Discord user as the fake knows them (PLATFORMS.md §2), with their connections. */
export interface FakeDiscordUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator?: string;
  avatar?: string | null;
  connections: Array<{
    id: string;
    name: string;
    type: string;
    verified: boolean;
    revoked?: boolean;
    visibility: number;
    friend_sync: boolean;
    show_activity: boolean;
    two_way_link: boolean;
  }>;
}

interface Grant {
  readonly userId: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  revoked: boolean;
}

interface PendingCode {
  readonly userId: string;
  readonly challenge: string;
  readonly method: string;
  readonly redirectUri: string;
  used: boolean;
}

interface GatewaySessionRecord {
  readonly id: string;
  readonly shard: [number, number];
  seq: number;
  /** Dispatches sent, to replay after a RESUME. */
  readonly log: Array<{ s: number; frame: string }>;
  socket: WebSocket | undefined;
}

/** A 429 the REST API answers the next matching requests with. */
export interface FakeDiscordRateLimit {
  /** Path prefix it applies to (e.g. `/api/v10/users/@me`); absent: any REST path. */
  readonly path?: string;
  readonly retryAfter: number;
  readonly global?: boolean;
  readonly scope?: 'user' | 'global' | 'shared';
  times: number;
}

/** The Ed25519 key of PLATFORMS.md's test vector: seed bytes 1..32. */
export const DISCORD_TEST_SEED_HEX = Buffer.from(Array.from({ length: 32 }, (_, index) => index + 1)).toString('hex');
export const DISCORD_TEST_PUBLIC_KEY_HEX = '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664';

/** `X-Signature-Ed25519` for a body as Discord signs it: Ed25519 over timestamp + raw body, hex. */
export function signDiscordWebhook(body: string | Buffer, timestamp: string, seedHex = DISCORD_TEST_SEED_HEX): string {
  return signEd25519Hex(seedHex, timestamp, body);
}

/**
 * Discord over real HTTP and WebSocket, as PLATFORMS.md §2 describes it:
 * - OAuth2: `/oauth2/authorize` consents (or denies) and redirects with code and state; the token
 *   endpoint takes only form bodies with HTTP Basic, checks the PKCE verifier, answers
 *   `invalid_grant` for a bad, used or foreign code; refresh rotates the pair; revocation ends the
 *   whole authorization;
 * - REST: `/users/@me`, `/users/@me/connections`, `/gateway/bot`, with `X-RateLimit-*` headers and
 *   429s on demand (`retry_after` in fractional seconds, `X-RateLimit-Scope`, global);
 * - Gateway: HELLO, IDENTIFY → READY (with `resume_gateway_url`), RESUME → replay + RESUMED (or
 *   INVALID_SESSION when refused), heartbeat ACKs (which can stop), presences sent to the shard that
 *   owns the guild, dropped connections.
 * Control endpoints for the demo: `POST /_fake/presence`, `POST /_fake/drop`.
 */
export class FakeDiscordServer {
  readonly clientId = '1234560123453231555';
  readonly clientSecret = 'fake-discord-client-secret';
  readonly botToken = 'fake-discord-bot-token-0123456789abcdef';
  readonly users = new Map<string, FakeDiscordUser>();
  /** Who consents at the authorize page next (default: the first user). */
  consentAs: string | undefined;
  /** The next consent is denied (`error=access_denied`). */
  denyConsent = false;
  tokenLifetimeSeconds = 604_800;
  readonly rateLimits: FakeDiscordRateLimit[] = [];
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined; contentType: string | undefined; at: number }> = [];
  readonly revocations: string[] = [];
  // Gateway
  heartbeatIntervalMs = 41_250;
  ackHeartbeats = true;
  refuseResume = false;
  shards = 1;
  readonly identifies: Array<{ shard: [number, number]; intents: number; token: string }> = [];
  readonly resumes: Array<{ sessionId: string; seq: number; accepted: boolean }> = [];
  heartbeats = 0;
  private readonly grants: Grant[] = [];
  private readonly codes = new Map<string, PendingCode>();
  private readonly sessions = new Map<string, GatewaySessionRecord>();
  private readonly sockets = new Set<WebSocket>();
  private server!: Server;
  private wss!: WebSocketServer;
  private port = 0;

  static async start(port = 0): Promise<FakeDiscordServer> {
    const fake = new FakeDiscordServer();
    fake.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      request.on('end', () => fake.handle(request, response, raw));
    });
    fake.wss = new WebSocketServer({ noServer: true });
    fake.server.on('upgrade', (request, socket, head) => {
      if (!(request.url ?? '').startsWith('/gateway')) return socket.destroy();
      fake.wss.handleUpgrade(request, socket, head, (ws) => fake.gatewayConnection(ws));
    });
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get apiBaseUrl(): string {
    return `${this.url}/api/v10`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** The environment a service needs to use this fake. */
  settings(redirectUri: string): Record<string, string> {
    return {
      DISCORD_API_BASE_URL: this.apiBaseUrl,
      DISCORD_AUTHORIZE_URL: `${this.url}/oauth2/authorize`,
      DISCORD_OAUTH_BASE_URL: `${this.url}/api`,
      DISCORD_CLIENT_ID: this.clientId,
      DISCORD_CLIENT_SECRET: this.clientSecret,
      DISCORD_REDIRECT_URI: redirectUri,
    };
  }

  addUser(user: Partial<FakeDiscordUser> & { id: string; username: string }): FakeDiscordUser {
    const full: FakeDiscordUser = { global_name: null, discriminator: '0', avatar: null, connections: [], ...user };
    this.users.set(full.id, full);
    return full;
  }

  /** Live grants of a user (not revoked). */
  grantsOf(userId: string): number {
    return this.grants.filter((grant) => grant.userId === userId && !grant.revoked).length;
  }

  /** Makes every live access token of a user expire now (the refresh token still works). */
  expireAccessTokens(userId: string): void {
    for (const grant of this.grants) if (grant.userId === userId) grant.expiresAt = Date.now() - 1;
  }

  /** Gateway sessions with a connected socket. */
  get connectedSessions(): number {
    return [...this.sessions.values()].filter((session) => session.socket?.readyState === WebSocket.OPEN).length;
  }

  get sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /**
   * A PRESENCE_UPDATE for a user in a guild, sent to the shard that owns the guild
   * (`(guild_id >> 22) % shards`); `game` null: they stopped playing. Answers how many sessions got it.
   */
  sendPresence(presence: { userId: string; guildId?: string; game?: string | null; applicationId?: string; startedAt?: number; status?: string }): number {
    const guildId = presence.guildId ?? '197038439483310086';
    const activities = presence.game
      ? [
          {
            name: presence.game,
            type: 0,
            ...(presence.applicationId ? { application_id: presence.applicationId } : {}),
            created_at: Date.now(),
            timestamps: { start: presence.startedAt ?? Date.now() },
          },
        ]
      : [];
    const data = {
      user: { id: presence.userId },
      guild_id: guildId,
      status: presence.status ?? (presence.game ? 'online' : 'online'),
      client_status: { desktop: 'online' },
      activities,
    };
    let sent = 0;
    for (const session of this.sessions.values()) {
      if (Number((BigInt(guildId) >> 22n) % BigInt(session.shard[1])) !== session.shard[0]) continue;
      this.dispatch(session, 'PRESENCE_UPDATE', data);
      if (session.socket?.readyState === WebSocket.OPEN) sent += 1;
    }
    return sent;
  }

  /** Cuts every Gateway connection without a close frame (as a network failure would). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  /** Sends INVALID_SESSION (not resumable) on every connection. */
  invalidateSessions(): void {
    for (const session of this.sessions.values()) {
      session.socket?.send(JSON.stringify({ op: 9, d: false }));
      this.sessions.delete(session.id);
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private gatewayConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    let session: GatewaySessionRecord | undefined;
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (session?.socket === socket) session.socket = undefined;
    });
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs } }));
    socket.on('message', (raw) => {
      let frame: { op: number; d: Record<string, unknown> | number | null };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch {
        return socket.close(4002, 'Decode error');
      }
      if (frame.op === 1) {
        this.heartbeats += 1;
        if (this.ackHeartbeats) socket.send(JSON.stringify({ op: 11 }));
        return;
      }
      const d = (frame.d ?? {}) as Record<string, unknown>;
      if (frame.op === 2) {
        if (d['token'] !== this.botToken) return socket.close(4004, 'Authentication failed.');
        const intents = Number(d['intents']);
        if ((intents & 256) === 0) return socket.close(4014, 'Disallowed intent(s).');
        const shard = (Array.isArray(d['shard']) ? d['shard'] : [0, 1]) as [number, number];
        if (shard[1] !== this.shards || shard[0] >= shard[1]) return socket.close(4010, 'Invalid shard.');
        this.identifies.push({ shard, intents, token: String(d['token']) });
        session = { id: randomBytes(16).toString('hex'), shard, seq: 0, log: [], socket };
        this.sessions.set(session.id, session);
        this.dispatch(session, 'READY', {
          v: 10,
          session_id: session.id,
          resume_gateway_url: this.gatewayUrl,
          shard,
          user: { id: '1234560123453231555', username: 'Activity', bot: true },
          guilds: [],
        });
        return;
      }
      if (frame.op === 6) {
        const known = this.sessions.get(String(d['session_id']));
        const seq = Number(d['seq']);
        const accepted = Boolean(known) && d['token'] === this.botToken && !this.refuseResume;
        this.resumes.push({ sessionId: String(d['session_id']), seq, accepted });
        if (!accepted || !known) {
          socket.send(JSON.stringify({ op: 9, d: false }));
          return;
        }
        session = known;
        session.socket?.terminate();
        session.socket = socket;
        for (const entry of session.log) if (entry.s > seq) socket.send(entry.frame);
        this.dispatch(session, 'RESUMED', null);
      }
    });
  }

  private dispatch(session: GatewaySessionRecord, type: string, data: unknown): void {
    session.seq += 1;
    const frame = JSON.stringify({ op: 0, s: session.seq, t: type, d: data });
    session.log.push({ s: session.seq, frame });
    if (session.log.length > 1000) session.log.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(frame);
  }

  private handle(request: IncomingMessage, response: ServerResponse, raw: string): void {
    const url = new URL(request.url ?? '/', this.url);
    const path = url.pathname;
    this.requests.push({ method: request.method ?? 'GET', path, authorization: request.headers['authorization'], contentType: request.headers['content-type'], at: Date.now() });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
    };

    if (request.method === 'GET' && path === '/oauth2/authorize') return this.authorize(url, response);
    if (request.method === 'POST' && path === '/api/oauth2/token') return this.token(request, raw, json);
    if (request.method === 'POST' && path === '/api/oauth2/token/revoke') return this.revoke(request, raw, json);
    if (request.method === 'POST' && path === '/_fake/presence') {
      const body = JSON.parse(raw || '{}') as { userId?: string; guildId?: string; game?: string | null; applicationId?: string };
      if (!body.userId) return json(400, { message: 'userId is required' });
      return json(200, {
        sessions: this.sendPresence({
          userId: body.userId,
          ...(body.guildId ? { guildId: body.guildId } : {}),
          game: body.game ?? null,
          ...(body.applicationId ? { applicationId: body.applicationId } : {}),
        }),
      });
    }
    if (request.method === 'POST' && path === '/_fake/drop') {
      this.dropConnections();
      return json(200, { dropped: true });
    }
    if (!path.startsWith('/api/v10/')) return json(404, { message: '404: Not Found', code: 0 });

    const limit = this.rateLimits.find((candidate) => candidate.times > 0 && (!candidate.path || path.startsWith(candidate.path)));
    if (limit) {
      limit.times -= 1;
      const scope = limit.scope ?? (limit.global ? 'global' : 'user');
      return json(
        429,
        { message: scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.', retry_after: limit.retryAfter, global: Boolean(limit.global) },
        { 'retry-after': String(Math.ceil(limit.retryAfter)), 'x-ratelimit-scope': scope, ...(limit.global ? { 'x-ratelimit-global': 'true' } : {}) },
      );
    }
    const bucketHeaders = (bucket: string) => ({
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset': String(Date.now() / 1000 + 1),
      'x-ratelimit-reset-after': '1.000',
      'x-ratelimit-bucket': createHash('sha1').update(bucket).digest('hex').slice(0, 16),
    });
    const authorization = request.headers['authorization'] ?? '';
    if (path === '/api/v10/gateway/bot') {
      if (authorization !== `Bot ${this.botToken}`) return json(401, { message: '401: Unauthorized', code: 0 });
      return json(
        200,
        { url: this.gatewayUrl, shards: this.shards, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
        bucketHeaders('gateway'),
      );
    }
    const grant = this.grants.find((candidate) => `Bearer ${candidate.accessToken}` === authorization && !candidate.revoked && candidate.expiresAt > Date.now());
    const user = grant && this.users.get(grant.userId);
    if (!user) return json(401, { message: '401: Unauthorized', code: 0 });
    if (path === '/api/v10/users/@me') {
      const { connections: _connections, ...profile } = user;
      return json(200, profile, bucketHeaders('me'));
    }
    if (path === '/api/v10/users/@me/connections') return json(200, user.connections, bucketHeaders('connections'));
    return json(404, { message: '404: Not Found', code: 0 });
  }

  private authorize(url: URL, response: ServerResponse): void {
    const params = Object.fromEntries(url.searchParams);
    const redirect = params['redirect_uri'];
    if (params['client_id'] !== this.clientId || !redirect || params['response_type'] !== 'code') {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid OAuth2 request');
      return;
    }
    const back = new URL(redirect);
    if (params['state']) back.searchParams.set('state', params['state']);
    if (this.denyConsent) {
      this.denyConsent = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
    } else {
      const userId = this.consentAs ?? [...this.users.keys()][0];
      if (!userId) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('No user to consent');
        return;
      }
      const code = randomBytes(20).toString('base64url');
      this.codes.set(code, { userId, challenge: params['code_challenge'] ?? '', method: params['code_challenge_method'] ?? '', redirectUri: redirect, used: false });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() }).end();
  }

  private clientAuthenticated(request: IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`;
    return request.headers['authorization'] === expected;
  }

  private token(request: IncomingMessage, raw: string, json: (status: number, body: unknown) => void): void {
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return json(400, { error: 'unsupported_grant_type' });
    if (!this.clientAuthenticated(request)) return json(401, { error: 'invalid_client' });
    const form = Object.fromEntries(new URLSearchParams(raw));
    const invalidGrant = (what: string) => json(400, { error: 'invalid_grant', error_description: `Invalid "${what}" in request.` });
    if (form['grant_type'] === 'authorization_code') {
      const pending = this.codes.get(form['code'] ?? '');
      if (!pending || pending.used) return invalidGrant('code');
      pending.used = true;
      if (pending.redirectUri !== form['redirect_uri']) return invalidGrant('redirect_uri');
      const verifier = form['code_verifier'] ?? '';
      if (pending.method !== 'S256' || createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return invalidGrant('code_verifier');
      return json(200, this.issue(pending.userId));
    }
    if (form['grant_type'] === 'refresh_token') {
      const grant = this.grants.find((candidate) => candidate.refreshToken === form['refresh_token'] && !candidate.revoked);
      if (!grant) return invalidGrant('refresh_token');
      grant.accessToken = randomBytes(16).toString('base64url');
      grant.refreshToken = randomBytes(16).toString('base64url');
      grant.expiresAt = Date.now() + this.tokenLifetimeSeconds * 1000;
      return json(200, {
        access_token: grant.accessToken,
        token_type: 'Bearer',
        expires_in: this.tokenLifetimeSeconds,
        refresh_token: grant.refreshToken,
        scope: 'identify connections',
      });
    }
    return json(400, { error: 'unsupported_grant_type' });
  }

  private issue(userId: string) {
    const grant: Grant = {
      userId,
      accessToken: randomBytes(16).toString('base64url'),
      refreshToken: randomBytes(16).toString('base64url'),
      expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000,
      revoked: false,
    };
    this.grants.push(grant);
    return { access_token: grant.accessToken, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, refresh_token: grant.refreshToken, scope: 'identify connections' };
  }

  private revoke(request: IncomingMessage, raw: string, json: (status: number, body: unknown) => void): void {
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return json(400, { error: 'invalid_request' });
    if (!this.clientAuthenticated(request)) return json(401, { error: 'invalid_client' });
    const token = new URLSearchParams(raw).get('token');
    const grant = this.grants.find((candidate) => candidate.accessToken === token || candidate.refreshToken === token);
    // Revoking either token ends the whole authorization (every grant of the user for this app).
    if (grant) for (const other of this.grants) if (other.userId === grant.userId) other.revoked = true;
    if (grant) this.revocations.push(grant.userId);
    json(200, {});
  }
}
