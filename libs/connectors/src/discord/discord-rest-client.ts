import type { Logger } from 'pino';
import { DomainError } from '@activity/domain';
import type { DiscordRateLimits } from './discord-rate-limits';

export interface DiscordUser {
  readonly id: string;
  readonly username: string;
  readonly global_name?: string | null;
  readonly discriminator?: string;
}

export interface DiscordConnection {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly verified: boolean;
  readonly revoked?: boolean;
  readonly visibility?: number;
}

export interface DiscordGatewayBot {
  readonly url: string;
  readonly shards: number;
}

export interface DiscordRestOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Attempts per call when Discord answers 429 (each waits the `retry_after` it names). */
  readonly maxAttempts: number;
}

/** The few Discord REST calls we make, every one through the shared rate limits. */
export class DiscordRestClient {
  constructor(
    private readonly options: DiscordRestOptions,
    private readonly limits: DiscordRateLimits,
    private readonly logger: Logger,
  ) {}

  /** `GET /users/@me` with a player's bearer token (scope `identify`). */
  me(accessToken: string): Promise<DiscordUser> {
    return this.get<DiscordUser>('/users/@me', `Bearer ${accessToken}`);
  }

  /** `GET /users/@me/connections` (scope `connections`). */
  connections(accessToken: string): Promise<DiscordConnection[]> {
    return this.get<DiscordConnection[]>('/users/@me/connections', `Bearer ${accessToken}`);
  }

  /** Where the bot's Gateway is and how many shards Discord recommends. */
  gatewayBot(botToken: string): Promise<DiscordGatewayBot> {
    return this.get<DiscordGatewayBot>('/gateway/bot', `Bot ${botToken}`);
  }

  private async get<T>(path: string, authorization: string): Promise<T> {
    const route = `GET ${path}`;
    for (let attempt = 1; ; attempt += 1) {
      await this.limits.before(route);
      let response: Response;
      try {
        response = await fetch(new URL(`${this.options.baseUrl}${path}`), {
          headers: { authorization, accept: 'application/json', 'user-agent': 'DiscordBot (https://github.com/activity-service, 1.3) activity-service' },
          signal: AbortSignal.timeout(this.options.timeoutMs),
          redirect: 'error',
        });
      } catch {
        throw new DomainError('dependency_unavailable', { dependency: 'Discord' });
      }
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      const waitMs = await this.limits.after(route, response, body);
      if (response.ok) return body as T;
      if (waitMs !== null) {
        this.logger.warn({ route, waitMs, attempt, scope: response.headers.get('x-ratelimit-scope') }, 'Discord rate limited a call');
        if (attempt < this.options.maxAttempts) continue;
        throw new DomainError('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
      }
      // A player's token that no longer works: they revoked us, or it expired unrefreshed.
      if (response.status === 401) throw new DomainError('link_reauthorization_required', { provider: 'Discord' });
      throw new DomainError('dependency_unavailable', { dependency: 'Discord' });
    }
  }
}
