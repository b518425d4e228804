import type { Logger } from 'pino';
import { RetryableError, type Breaker, type RateGate } from '@activity/connector-sdk';
import { UpstreamHttp } from '../upstream/upstream-http';
import { SteamKeyRejectedError, SteamNoStatsError, SteamPrivateProfileError, SteamUnavailableError } from './steam-errors';
import type { SteamAchievement, SteamOwnedGame, SteamPlayerSummary, SteamRecentGame, SteamSchemaAchievement } from './steam-web-api.types';

export interface SteamWebApiOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Attempts per call for 429 / 5xx / timeouts (the first included). */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  /** Upper bound on one wait, including a Retry-After the server asks for. */
  readonly backoffMaxMs: number;
}

export { RetryableError };

/**
 * A production client for the Steam Web API. Each attempt goes through the circuit breaker and
 * only then waits for the shared rate limit, so an open circuit fails at once instead of queueing
 * for a token; attempts are retried (cockatiel) on 429 / 5xx / timeouts with exponential backoff
 * and jitter, never sooner than Retry-After (seconds or an HTTP date). Private profiles and apps
 * without stats come back as typed errors the connector turns into a link status; not retried.
 */
export class SteamWebApiClient {
  private readonly schemaCache = new Map<number, { achievements: Map<string, SteamSchemaAchievement>; at: number }>();
  private readonly http: UpstreamHttp;

  constructor(
    private readonly options: SteamWebApiOptions,
    gate: RateGate,
    breaker: Breaker,
    logger: Logger,
  ) {
    this.http = new UpstreamHttp('steam', options, gate, breaker, logger);
  }

  /** Attempts made (each retry counts). */
  get calls(): number {
    return this.http.calls;
  }

  async getPlayerSummaries(steamIds: readonly string[]): Promise<SteamPlayerSummary[]> {
    const body = await this.get<{ response?: { players?: SteamPlayerSummary[] } }>('ISteamUser/GetPlayerSummaries/v2', { steamids: steamIds.slice(0, 100).join(',') });
    return body.response?.players ?? [];
  }

  /** `null` when "Game details" are private (Steam answers `{"response":{}}`). */
  async getOwnedGames(steamId: string): Promise<SteamOwnedGame[] | null> {
    const body = await this.get<{ response?: { game_count?: number; games?: SteamOwnedGame[] } }>('IPlayerService/GetOwnedGames/v1', {
      steamid: steamId,
      include_appinfo: '1',
      include_played_free_games: '1',
    });
    if (body.response?.game_count === undefined) return null;
    return body.response.games ?? [];
  }

  async getRecentlyPlayedGames(steamId: string): Promise<SteamRecentGame[]> {
    const body = await this.get<{ response?: { total_count?: number; games?: SteamRecentGame[] } }>('IPlayerService/GetRecentlyPlayedGames/v1', { steamid: steamId });
    return body.response?.games ?? [];
  }

  async getPlayerAchievements(steamId: string, appId: number): Promise<{ gameName?: string; achievements: SteamAchievement[] }> {
    const body = await this.get<{ playerstats?: { gameName?: string; achievements?: SteamAchievement[]; success?: boolean; error?: string } }>(
      'ISteamUserStats/GetPlayerAchievements/v1',
      { steamid: steamId, appid: String(appId), l: 'english' },
      { steamId, appId },
    );
    const stats = body.playerstats;
    if (stats?.success === false) {
      if (/not public/i.test(stats.error ?? '')) throw new SteamPrivateProfileError(steamId);
      if (/no stats/i.test(stats.error ?? '')) throw new SteamNoStatsError(appId);
    }
    return { ...(stats?.gameName ? { gameName: stats.gameName } : {}), achievements: stats?.achievements ?? [] };
  }

  /** Achievement display names of a game, cached for a day (they change with game updates only). */
  async getAchievementSchema(appId: number): Promise<Map<string, SteamSchemaAchievement>> {
    const cached = this.schemaCache.get(appId);
    if (cached && Date.now() - cached.at < 24 * 3600_000) return cached.achievements;
    const body = await this.get<{ game?: { availableGameStats?: { achievements?: SteamSchemaAchievement[] } } }>('ISteamUserStats/GetSchemaForGame/v2', {
      appid: String(appId),
      l: 'english',
    });
    const achievements = new Map((body.game?.availableGameStats?.achievements ?? []).map((a) => [a.name, a]));
    if (this.schemaCache.size > 5_000) this.schemaCache.clear();
    this.schemaCache.set(appId, { achievements, at: Date.now() });
    return achievements;
  }

  /** The SteamID64 a vanity name points to, or null ("No match"). */
  async resolveVanityUrl(vanity: string): Promise<string | null> {
    const body = await this.get<{ response?: { success?: number; steamid?: string } }>('ISteamUser/ResolveVanityURL/v1', { vanityurl: vanity });
    return body.response?.success === 1 && body.response.steamid ? body.response.steamid : null;
  }

  private async get<T>(method: string, params: Record<string, string>, context: { steamId?: string; appId?: number } = {}): Promise<T> {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${method}/`);
    url.searchParams.set('key', this.options.apiKey);
    url.searchParams.set('format', 'json');
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    try {
      return await this.http.execute(method, url, { headers: { accept: 'application/json' } }, (response) => this.read<T>(method, response, context));
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      throw new SteamUnavailableError(`Steam ${method} failed after ${this.options.maxAttempts} attempts: ${error.message}`, { cause: error });
    }
  }

  private async read<T>(method: string, response: Response, context: { steamId?: string; appId?: number }): Promise<T> {
    const text = await response.text();
    if (response.status === 403 || response.status === 400 || response.status === 401) {
      // Per-player answers come as JSON; a rejected key comes as HTML.
      if (text.trimStart().startsWith('{')) {
        const body = JSON.parse(text) as { playerstats?: { error?: string } };
        const error = body.playerstats?.error ?? '';
        if (/not public/i.test(error) && context.steamId) throw new SteamPrivateProfileError(context.steamId);
        if (/no stats/i.test(error) && context.appId !== undefined) throw new SteamNoStatsError(context.appId);
      }
      if (response.status !== 400) throw new SteamKeyRejectedError();
      throw new Error(`Steam ${method} answered 400: ${text.slice(0, 200)}`);
    }
    if (!response.ok) throw new Error(`Steam ${method} answered ${response.status}`);
    return JSON.parse(text) as T;
  }
}
