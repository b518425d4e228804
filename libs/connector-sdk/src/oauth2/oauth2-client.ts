import { DomainError } from '@activity/domain';

export interface OAuth2ClientSettings {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** Absent: the provider has no revocation endpoint (unlinking only forgets the tokens). */
  readonly revokeUrl?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly timeoutMs?: number;
  /** How the client authenticates at the token endpoint: HTTP Basic (Discord; the default) or in the form body (Twitch). */
  readonly clientAuthentication?: 'basic' | 'body';
}

export interface OAuth2Tokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: Date;
  readonly scopes: readonly string[];
}

/** Refresh this long before expiry, so a sync never starts with a token about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The authorization-code flow with PKCE (RFC 6749, RFC 7636, RFC 7009), as the platforms we
 * link speak it: form-encoded requests only, client authentication by HTTP Basic. Errors from
 * the provider become DomainErrors the feed API answers with (`oauth_invalid_grant` for a bad,
 * expired or reused code).
 */
export class OAuth2Client {
  constructor(readonly settings: OAuth2ClientSettings) {}

  /** Where to send the player: `state` binds the callback to them, `challenge` to our verifier. */
  authorizeUrl(state: string, challenge: string, extra: Readonly<Record<string, string>> = {}): string {
    const url = new URL(this.settings.authorizeUrl);
    const params = {
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  exchangeCode(code: string, verifier: string, now = new Date()): Promise<OAuth2Tokens> {
    return this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUri, code_verifier: verifier }, now);
  }

  refresh(refreshToken: string, now = new Date()): Promise<OAuth2Tokens> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, now);
  }

  /** Revokes the grant (providers such as Discord revoke the whole authorization with either token). */
  async revoke(token: string, hint: 'access_token' | 'refresh_token' = 'refresh_token'): Promise<void> {
    if (!this.settings.revokeUrl) return;
    await this.post(this.settings.revokeUrl, { token, token_type_hint: hint });
  }

  static needsRefresh(tokens: Pick<OAuth2Tokens, 'expiresAt'>, now = new Date()): boolean {
    return tokens.expiresAt.getTime() - now.getTime() <= REFRESH_BEFORE_EXPIRY_MS;
  }

  private async tokenRequest(form: Record<string, string>, now: Date): Promise<OAuth2Tokens> {
    const body = (await this.post(this.settings.tokenUrl, form)) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; scope?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) throw new DomainError('dependency_unavailable', { dependency: this.provider() });
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    return {
      accessToken: body.access_token,
      ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
      expiresAt: new Date(now.getTime() + expiresIn * 1000),
      scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [...this.settings.scopes],
    };
  }

  private async post(url: string, form: Record<string, string>): Promise<unknown> {
    const inBody = this.settings.clientAuthentication === 'body';
    const basic = Buffer.from(`${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(inBody ? {} : { authorization: `Basic ${basic}` }) },
        body: new URLSearchParams(inBody ? { ...form, client_id: this.settings.clientId, client_secret: this.settings.clientSecret } : form).toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch {
      throw new DomainError('dependency_unavailable', { dependency: this.provider() });
    }
    const text = await response.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    if (response.ok) return body;
    const error = (body as { error?: unknown }).error;
    if (response.status === 400 && (error === 'invalid_grant' || error === 'invalid_request')) throw new DomainError('oauth_invalid_grant', { provider: this.provider() });
    throw new DomainError('dependency_unavailable', { dependency: this.provider() });
  }

  private provider(): string {
    return new URL(this.settings.tokenUrl).host;
  }
}
