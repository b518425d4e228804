import { DomainError } from '@activity/domain';

/** Re-request a little before Twitch says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Helix app access token by client credentials (there is no refresh token: a new one is requested
 * when it expires, or when Helix answers 401 for it). One request at a time per process.
 */
export class TwitchAppToken {
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly options: { readonly authBaseUrl: string; readonly clientId: string; readonly clientSecret: string; readonly timeoutMs: number }) {}

  async get(now = Date.now()): Promise<string> {
    if (this.current && this.current.expiresAt - EXPIRY_MARGIN_MS > now) return this.current.token;
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Helix refused it: the next call asks for a new one. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async request(): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.options.authBaseUrl.replace(/\/$/, '')}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ client_id: this.options.clientId, client_secret: this.options.clientSecret, grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch {
      throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') throw new DomainError('dependency_unavailable', { dependency: 'Twitch' });
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.current = { token: body.access_token, expiresAt: Date.now() + expiresIn * 1000 };
    return body.access_token;
  }
}
