import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** One player as the fake Steam Web API knows them (shapes from shared/fixtures/PLATFORMS.md). */
export interface FakeSteamPlayer {
  summary: { steamid: string; communityvisibilitystate: number; profilestate?: number; personaname: string; profileurl?: string; avatarhash?: string; personastate?: number };
  owned: Array<{ appid: number; name: string; playtime_forever: number; playtime_2weeks?: number; rtime_last_played?: number; has_community_visible_stats?: boolean }>;
  /** appid -> game name and achievements */
  achievements: Record<number, { gameName: string; list: Array<{ apiname: string; achieved: number; unlocktime: number; name: string; description?: string }> }>;
  gameDetailsPrivate?: boolean;
  noStats?: number[];
}

const FORBIDDEN_HTML =
  '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>';

/**
 * A Steam Web API over real HTTP with the real payload shapes and error answers, plus knobs for
 * faults: 429 with Retry-After, 500s, slow answers, private profiles, apps without stats. It counts
 * requests and records the peak requests per second it saw (to check our shared rate limit).
 */
export class FakeSteamServer {
  readonly players = new Map<string, FakeSteamPlayer>();
  readonly vanity = new Map<string, string>();
  latencyMs = 0;
  /** The next N requests answer 429 with this Retry-After (seconds). */
  fail429 = 0;
  retryAfterSeconds = 1;
  /** The next N requests answer 500. */
  fail500 = 0;
  /** The next N requests take this long (to trigger client timeouts). */
  slow = 0;
  slowMs = 0;
  requests = 0;
  /** Who "signs in" on the fake Steam OpenID page (`?steamid=` on the login URL overrides it). */
  openIdSignInAs: string | undefined;
  private readonly openIdSecret = randomBytes(32);
  private readonly openIdNonces = new Set<string>();
  readonly byMethod = new Map<string, number>();
  private readonly perSecond = new Map<number, number>();
  private readonly server: Server;
  url = '';

  private constructor(readonly apiKey: string) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(apiKey = '0123456789ABCDEF0123456789ABCDEF', port = 0): Promise<FakeSteamServer> {
    const fake = new FakeSteamServer(apiKey);
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /**
   * Requests per second over the busy span, leaving out its first and last (partial) seconds:
   * the sustained rate, which arrival jitter does not inflate. Undefined under three seconds.
   */
  get sustainedPerSecond(): number | undefined {
    const seconds = [...this.perSecond.keys()].sort((a, b) => a - b);
    if (seconds.length < 3) return undefined;
    const inner = seconds.slice(1, -1);
    const span = inner.at(-1)! - inner[0]! + 1;
    return inner.reduce((sum, second) => sum + this.perSecond.get(second)!, 0) / span;
  }

  /** Highest number of requests seen within one wall-clock second. */
  get peakPerSecond(): number {
    return Math.max(0, ...this.perSecond.values());
  }

  resetCounters(): void {
    this.requests = 0;
    this.byMethod.clear();
    this.perSecond.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests += 1;
    const second = Math.floor(Date.now() / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    if (this.perSecond.size > 600) this.perSecond.delete(Math.min(...this.perSecond.keys()));
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = url.pathname.split('/').filter(Boolean).slice(0, 2).join('/');
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    };
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.slow > 0) {
      this.slow -= 1;
      await new Promise((resolve) => setTimeout(resolve, this.slowMs));
    }
    if (url.pathname === '/openid/login') return this.openId(request, response, url);
    if (this.fail429 > 0) {
      this.fail429 -= 1;
      response.writeHead(429, { 'retry-after': String(this.retryAfterSeconds), 'content-type': 'text/html' });
      return void response.end('<html><body>Too Many Requests</body></html>');
    }
    if (this.fail500 > 0) {
      this.fail500 -= 1;
      response.writeHead(500, { 'content-type': 'text/html' });
      return void response.end('<html><body>Internal Server Error</body></html>');
    }
    if (url.searchParams.get('key') !== this.apiKey) {
      response.writeHead(403, { 'content-type': 'text/html' });
      return void response.end(FORBIDDEN_HTML);
    }
    const q = (name: string) => url.searchParams.get(name) ?? '';
    switch (method) {
      case 'ISteamUser/GetPlayerSummaries': {
        const ids = q('steamids').split(',').slice(0, 100);
        return json(200, { response: { players: ids.flatMap((id) => (this.players.get(id) ? [this.players.get(id)!.summary] : [])) } });
      }
      case 'ISteamUser/ResolveVanityURL': {
        const id = this.vanity.get(q('vanityurl').toLowerCase());
        return json(200, id ? { response: { steamid: id, success: 1 } } : { response: { success: 42, message: 'No match' } });
      }
      case 'IPlayerService/GetOwnedGames': {
        const player = this.players.get(q('steamid'));
        if (!player || player.gameDetailsPrivate || player.summary.communityvisibilitystate !== 3) return json(200, { response: {} });
        return json(200, { response: { game_count: player.owned.length, games: player.owned } });
      }
      case 'IPlayerService/GetRecentlyPlayedGames': {
        const player = this.players.get(q('steamid'));
        const recent = (player?.owned ?? []).filter((g) => g.playtime_2weeks);
        if (!recent.length) return json(200, { response: { total_count: 0 } });
        return json(200, {
          response: { total_count: recent.length, games: recent.map(({ appid, name, playtime_2weeks, playtime_forever }) => ({ appid, name, playtime_2weeks, playtime_forever })) },
        });
      }
      case 'ISteamUserStats/GetPlayerAchievements': {
        const player = this.players.get(q('steamid'));
        const appid = Number(q('appid'));
        if (!player || player.gameDetailsPrivate || player.summary.communityvisibilitystate !== 3)
          return json(403, { playerstats: { error: 'Profile is not public', success: false } });
        const stats = player.achievements[appid];
        if (!stats || player.noStats?.includes(appid)) return json(400, { playerstats: { error: 'Requested app has no stats', success: false } });
        const withNames = q('l') !== '';
        return json(200, {
          playerstats: {
            steamID: player.summary.steamid,
            gameName: stats.gameName,
            achievements: stats.list.map((a) => (withNames ? a : { apiname: a.apiname, achieved: a.achieved, unlocktime: a.unlocktime })),
            success: true,
          },
        });
      }
      case 'ISteamUserStats/GetSchemaForGame': {
        const appid = Number(q('appid'));
        const stats = [...this.players.values()].map((p) => p.achievements[appid]).find(Boolean);
        return json(200, {
          game: {
            gameName: stats?.gameName ?? '',
            gameVersion: '1',
            availableGameStats: {
              achievements: (stats?.list ?? []).map((a) => ({ name: a.apiname, defaultvalue: 0, displayName: a.name, hidden: 0, description: a.description })),
            },
          },
        });
      }
      default:
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<html><body>Not Found</body></html>');
    }
  }

  /**
   * Steam's OpenID 2.0 provider, as PLATFORMS.md §1 describes it: GET is the sign-in page (here it
   * signs in at once and redirects to return_to with a signed positive assertion); POST with
   * mode=check_authentication answers `is_valid:true` only for an assertion it signed, once.
   */
  private async openId(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const endpoint = 'https://steamcommunity.com/openid/login';
    const sign = (params: URLSearchParams) =>
      createHmac('sha256', this.openIdSecret)
        .update(
          (params.get('openid.signed') ?? '')
            .split(',')
            .map((field) => `${field}:${params.get(`openid.${field}`) ?? ''}\n`)
            .join(''),
        )
        .digest('base64');
    if (request.method === 'GET') {
      const steamId = url.searchParams.get('steamid') ?? this.openIdSignInAs;
      const returnTo = url.searchParams.get('openid.return_to');
      if (!steamId || !returnTo || url.searchParams.get('openid.mode') !== 'checkid_setup') {
        response.writeHead(400, { 'content-type': 'text/html' });
        return void response.end('<html><body>Bad OpenID request</body></html>');
      }
      const identity = `https://steamcommunity.com/openid/id/${steamId}`;
      const assertion = new URLSearchParams({
        'openid.ns': 'http://specs.openid.net/auth/2.0',
        'openid.mode': 'id_res',
        'openid.op_endpoint': endpoint,
        'openid.claimed_id': identity,
        'openid.identity': identity,
        'openid.return_to': returnTo,
        'openid.response_nonce': `${new Date().toISOString().slice(0, 19)}Z${randomBytes(8).toString('base64')}`,
        'openid.assoc_handle': '1234567890',
        'openid.signed': 'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle',
      });
      assertion.set('openid.sig', sign(assertion));
      const target = new URL(returnTo);
      for (const [name, value] of assertion) target.searchParams.set(name, value);
      response.writeHead(302, { location: target.toString() });
      return void response.end();
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const nonce = params.get('openid.response_nonce') ?? '';
    const given = Buffer.from(params.get('openid.sig') ?? '', 'base64');
    const expected = Buffer.from(sign(params), 'base64');
    const valid =
      params.get('openid.mode') === 'check_authentication' &&
      /^https:\/\/steamcommunity\.com\/openid\/id\/(\d{17})$/.test(params.get('openid.claimed_id') ?? '') &&
      given.length === expected.length &&
      timingSafeEqual(given, expected) &&
      !this.openIdNonces.has(nonce);
    if (valid) this.openIdNonces.add(nonce);
    response.writeHead(200, { 'content-type': 'text/plain;charset=utf-8' });
    response.end(`ns:http://specs.openid.net/auth/2.0\nis_valid:${valid}\n`);
  }

  /** Robin from the fixtures, with unlock times relative to `now` so a first sync's backfill sees some. */
  addFixturePlayer(steamId = '76561197960435530', now = Date.now()): FakeSteamPlayer {
    const seconds = Math.floor(now / 1000);
    const player: FakeSteamPlayer = {
      summary: {
        steamid: steamId,
        communityvisibilitystate: 3,
        profilestate: 1,
        personaname: 'Robin',
        profileurl: 'https://steamcommunity.com/id/robinwalker/',
        avatarhash: 'f1dd60a188883caf82d0cbfccfe6aba0af1732d4',
        personastate: 1,
      },
      owned: [
        { appid: 440, name: 'Team Fortress 2', playtime_forever: 1234, playtime_2weeks: 60, rtime_last_played: seconds - 3600, has_community_visible_stats: true },
        { appid: 570, name: 'Dota 2', playtime_forever: 0, rtime_last_played: 0 },
      ],
      achievements: {
        440: {
          gameName: 'Team Fortress 2',
          list: [
            { apiname: 'TF_PLAY_GAME_EVERYCLASS', achieved: 1, unlocktime: seconds - 2 * 86400, name: 'Head of the Class', description: 'Play a complete round with every class.' },
            { apiname: 'TF_GET_HEALPOINTS', achieved: 0, unlocktime: 0, name: 'Team Doctor', description: 'Accumulate 25000 heal points as a Medic.' },
            { apiname: 'TF_OLD_ONE', achieved: 1, unlocktime: 1290000000, name: 'Old Timer' },
          ],
        },
      },
    };
    this.players.set(steamId, player);
    this.vanity.set('robinwalker', steamId);
    return player;
  }
}
