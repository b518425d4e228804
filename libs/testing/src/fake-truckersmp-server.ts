import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One player as the fake TruckersMP API knows them (shapes from shared/fixtures/PLATFORMS.md §5). */
export interface FakeTruckersMpPlayer {
  id: number;
  name: string;
  /** Written into the JSON as a bare number, as TruckersMP does (beyond 2^53). */
  steamID64: string;
  joinDate: string;
  groupName: string;
  groupID: number;
  banned: boolean;
  bannedUntil: string | null;
  bansCount: number;
  displayBans: boolean;
  vtc: { id: number; name: string; tag: string; inVTC: boolean; memberID: number };
  vtcHistory: Array<{ id: number; name: string; verified: boolean; joinDate: string; leftDate: string | null }>;
  achievements: Array<{ id: number; title: string; description: string; image_url: string; achieved_at: string }>;
  bans: Array<{ expiration: string | null; timeAdded: string; active: boolean; reason: string; adminName: string; adminID: number }>;
  /** Convoys this player organises. */
  events: FakeTruckersMpEvent[];
}

export interface FakeTruckersMpEvent {
  id: number;
  name: string;
  start_at: string;
  departure: { location: string; city: string };
  arrive: { location: string; city: string };
  game?: string;
  server?: { id: number; name: string };
  url?: string;
}

export interface FakeTruckersMpVtc {
  id: number;
  name: string;
  tag: string;
  members_count: number;
  verified: boolean;
  attending: FakeTruckersMpEvent[];
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the API's date format. */
export function truckersMpDate(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The public TruckersMP API v2 over real HTTP: the `{error, response}` envelope (with `error`
 * as a boolean or, when `errorFlagAsString`, the strings "true"/"false"), `descriptor` on errors,
 * `steamID64` as a JSON number beyond 2^53, dates as `YYYY-MM-DD HH:MM:SS`, hidden bans as an
 * empty list. Knobs for 429/500; it records the User-Agent of every request.
 */
export class FakeTruckersMpServer {
  readonly players = new Map<number, FakeTruckersMpPlayer>();
  readonly vtcs = new Map<number, FakeTruckersMpVtc>();
  errorFlagAsString = false;
  /** HTTP status of error answers (TruckersMP's own codes are not documented). */
  errorStatus = 404;
  fail429 = 0;
  fail500 = 0;
  requests = 0;
  readonly paths: string[] = [];
  readonly userAgents = new Set<string>();
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(port = 0): Promise<FakeTruckersMpServer> {
    const fake = new FakeTruckersMpServer();
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The base URL a client is configured with (`…/v2`). */
  get apiBaseUrl(): string {
    return `${this.url}/v2`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A VTC with one upcoming convoy it attends. */
  addFixtureVtc(id = 1, now = Date.now()): FakeTruckersMpVtc {
    const vtc: FakeTruckersMpVtc = {
      id,
      name: id === 1 ? 'TruckersMP Developers' : `VTC ${id}`,
      tag: id === 1 ? 'TMP-DEV' : `V${id}`,
      members_count: 12,
      verified: true,
      attending: [
        {
          id: 9000 + id,
          name: id === 1 ? 'Nordic Night Run' : `Convoy ${9000 + id}`,
          start_at: truckersMpDate(now + 3 * 24 * 3600_000),
          departure: { location: 'Scania', city: 'Södertälje' },
          arrive: { location: 'Port', city: 'Rotterdam' },
          game: 'ETS2',
          server: { id: 50, name: 'Event Server' },
          url: `/events/${9000 + id}-convoy`,
        },
      ],
    };
    this.vtcs.set(id, vtc);
    return vtc;
  }

  /** The fixture player of PLATFORMS.md (id 1287455, SteamID64 76561198083585955) in VTC 1, with one recent achievement. */
  addFixturePlayer(id = 1287455, steamID64 = '76561198083585955', now = Date.now()): FakeTruckersMpPlayer {
    if (!this.vtcs.has(1)) this.addFixtureVtc(1, now);
    const player: FakeTruckersMpPlayer = {
      id,
      name: id === 1287455 ? 'Name' : `Driver ${id}`,
      steamID64,
      joinDate: '2017-01-09 18:17:28',
      groupName: 'Player',
      groupID: 1,
      banned: false,
      bannedUntil: null,
      bansCount: 0,
      displayBans: true,
      vtc: { id: 1, name: 'TruckersMP Developers', tag: 'TMP-DEV', inVTC: true, memberID: 1 },
      vtcHistory: [{ id: 1, name: 'TruckersMP Developers', verified: true, joinDate: '2020-03-01 10:00:00', leftDate: null }],
      achievements: [
        {
          id: 42,
          title: 'Convoy Driver',
          description: 'Drive in an official convoy',
          image_url: 'https://static.truckersmp.com/achievements/42.png',
          achieved_at: truckersMpDate(now - 2 * 24 * 3600_000),
        },
        { id: 7, title: 'Old Timer', description: 'Be a member for 5 years', image_url: 'https://static.truckersmp.com/achievements/7.png', achieved_at: '2022-01-09 18:17:28' },
      ],
      bans: [],
      events: [],
    };
    this.players.set(id, player);
    return player;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.requests += 1;
    const url = new URL(request.url ?? '/', 'http://fake');
    this.paths.push(url.pathname);
    this.userAgents.add(request.headers['user-agent'] ?? '');
    if (this.fail429 > 0) {
      this.fail429 -= 1;
      response.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('Too Many Requests');
      return;
    }
    if (this.fail500 > 0) {
      this.fail500 -= 1;
      response.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Server Error</body></html>');
      return;
    }
    const parts = url.pathname
      .replace(/^\/v2\//, '')
      .split('/')
      .filter(Boolean);
    const [resource, id, sub, subsub] = parts;
    if (request.method !== 'GET') return this.error(response, 'Method not allowed', 405);
    if (resource === 'player' && id && !sub) {
      const player = this.findPlayer(id);
      return player ? this.ok(response, this.playerView(player)) : this.error(response, 'Player not found');
    }
    if (resource === 'bans' && id && !sub) {
      const player = this.findPlayer(id);
      if (!player) return this.error(response, 'Player not found');
      return this.ok(response, player.displayBans ? player.bans : []);
    }
    if (resource === 'vtc' && id && !sub) {
      const vtc = this.vtcs.get(Number(id));
      if (!vtc) return this.error(response, 'VTC not found');
      const { attending: _attending, ...view } = vtc;
      return this.ok(response, {
        ...view,
        owner_id: 1,
        owner_username: 'owner',
        slogan: '',
        logo: '',
        cover: '',
        recruitment: 'Open',
        language: 'English',
        validated: true,
        created: '2018-01-01 00:00:00',
      });
    }
    if (resource === 'vtc' && id && sub === 'events' && subsub === 'attending') {
      const vtc = this.vtcs.get(Number(id));
      return vtc
        ? this.ok(
            response,
            vtc.attending.map((event) => this.eventView(event)),
          )
        : this.error(response, 'VTC not found');
    }
    if (resource === 'events' && id === 'user' && sub) {
      const player = this.players.get(Number(sub));
      return this.ok(
        response,
        (player?.events ?? []).map((event) => this.eventView(event)),
      );
    }
    this.error(response, 'Not found');
  }

  private findPlayer(id: string): FakeTruckersMpPlayer | undefined {
    if (/^\d{17}$/.test(id)) return [...this.players.values()].find((player) => player.steamID64 === id);
    return this.players.get(Number(id));
  }

  private playerView(player: FakeTruckersMpPlayer): Record<string, unknown> {
    const { bans: _bans, events: _events, ...rest } = player;
    return {
      ...rest,
      avatar: 'https://static.truckersmp.com/avatarsN/avatar.png',
      smallAvatar: 'https://static.truckersmp.com/avatarsN/small/avatar.png',
      steamID: player.steamID64,
      discordSnowflake: null,
      displayVTCHistory: true,
      groupColor: '#ffffff',
      patreon: { isPatron: false, active: false, color: '', tierId: 0, currentPledge: 0, lifetimePledge: 0, nextPledge: 0, hidden: true },
      permissions: { isStaff: false, isUpperStaff: false, isGameAdmin: false, showDetailedOnWebMaps: false },
      awards: [],
    };
  }

  private eventView(event: FakeTruckersMpEvent): Record<string, unknown> {
    return {
      ...event,
      event_type: { key: 'convoy', name: 'Convoy' },
      slug: `${event.id}-convoy`,
      language: 'English',
      meetup_at: event.start_at,
      banner: null,
      vtc: null,
      user: null,
      featured: '',
      created_at: '2026-01-01 00:00:00',
      updated_at: '2026-01-01 00:00:00',
    };
  }

  private ok(response: ServerResponse, body: unknown): void {
    // steamID64 goes out as a bare JSON number (beyond 2^53), as the real API sends it.
    const text = JSON.stringify({ error: this.errorFlagAsString ? 'false' : false, response: body }).replace(/"steamID64":"(\d+)"/g, '"steamID64":$1');
    response.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }

  private error(response: ServerResponse, descriptor: string, status = this.errorStatus): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: this.errorFlagAsString ? 'true' : true, descriptor }));
  }
}
