import type { Logger } from 'pino';
import { RetryableError, type Breaker, type RateGate } from '@activity/connector-sdk';
import { UpstreamHttp, type UpstreamHttpOptions } from '../upstream/upstream-http';
import type { TruckersMpBan, TruckersMpEvent, TruckersMpPlayer, TruckersMpVtc } from './truckersmp-api.types';
import { readTruckersMpEnvelope, TruckersMpApiError } from './truckersmp-envelope';

export interface TruckersMpApiOptions extends UpstreamHttpOptions {
  readonly baseUrl: string;
  /** TruckersMP asks every client to say who it is. */
  readonly userAgent: string;
}

/** TruckersMP kept failing (429/5xx/timeouts) after the retries. */
export class TruckersMpUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TruckersMpUnavailableError';
  }
}

/**
 * The public TruckersMP API v2 (no key): every call carries a descriptive User-Agent, waits for
 * the shared rate limit (TruckersMP publishes no number and asks heavy users to get in touch, so
 * the default is conservative), goes through the circuit breaker and is retried on 429/5xx.
 */
export class TruckersMpApiClient {
  private readonly http: UpstreamHttp;

  constructor(
    private readonly options: TruckersMpApiOptions,
    gate: RateGate,
    breaker: Breaker,
    logger: Logger,
  ) {
    this.http = new UpstreamHttp('truckersmp', options, gate, breaker, logger);
  }

  get calls(): number {
    return this.http.calls;
  }

  /** A player by TruckersMP id or SteamID64; null when TruckersMP knows no such player. */
  async findPlayer(id: string): Promise<TruckersMpPlayer | null> {
    return this.orNull(this.get<TruckersMpPlayer>('player', `player/${encodeURIComponent(id)}`));
  }

  /** The player's latest bans; empty when they are hidden (`displayBans: false`) or there are none. */
  async getBans(playerId: number): Promise<TruckersMpBan[]> {
    return (await this.orNull(this.get<TruckersMpBan[]>('bans', `bans/${playerId}`))) ?? [];
  }

  async findVtc(vtcId: number): Promise<TruckersMpVtc | null> {
    return this.orNull(this.get<TruckersMpVtc>('vtc', `vtc/${vtcId}`));
  }

  /** Events a VTC has confirmed it attends. */
  async getVtcAttendingEvents(vtcId: number): Promise<TruckersMpEvent[]> {
    return (await this.orNull(this.get<TruckersMpEvent[]>('vtc_events_attending', `vtc/${vtcId}/events/attending`))) ?? [];
  }

  /** Events the player organises. */
  async getPlayerEvents(playerId: number): Promise<TruckersMpEvent[]> {
    return (await this.orNull(this.get<TruckersMpEvent[]>('events_user', `events/user/${playerId}`))) ?? [];
  }

  private async orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof TruckersMpApiError && error.notFound) return null;
      throw error;
    }
  }

  private async get<T>(method: string, path: string): Promise<T> {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${path}`);
    try {
      return await this.http.execute(method, url, { headers: { accept: 'application/json', 'user-agent': this.options.userAgent } }, async (response) =>
        readTruckersMpEnvelope<T>(await response.text(), response.status),
      );
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      throw new TruckersMpUnavailableError(`TruckersMP ${method} failed after ${this.options.maxAttempts} attempts: ${error.message}`, { cause: error });
    }
  }
}
