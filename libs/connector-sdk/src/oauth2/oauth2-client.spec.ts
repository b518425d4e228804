import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@activity/domain';
import { OAuth2Client } from './oauth2-client';
import { createPkcePair, pkceChallengeOf } from './pkce';

interface Received {
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  form: Record<string, string>;
}

/** A token endpoint speaking RFC 6749 over real HTTP, as Discord's does (form-encoded, HTTP Basic). */
async function fakeProvider(answer: (received: Received) => { status: number; body: unknown }) {
  const received: Received[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const entry = {
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        authorization: request.headers['authorization'],
        form: Object.fromEntries(new URLSearchParams(raw)),
      };
      received.push(entry);
      const { status, body } = answer(entry);
      response.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const settings = (url: string) => ({
  authorizeUrl: 'https://discord.example/oauth2/authorize',
  tokenUrl: `${url}/api/oauth2/token`,
  revokeUrl: `${url}/api/oauth2/token/revoke`,
  clientId: '1234560123453231555',
  clientSecret: 's3cr3t:with/odd chars',
  redirectUri: 'https://activity.example/v2/accounts/discord/callback',
  scopes: ['identify', 'connections'],
});

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes a fresh 43-character verifier each time, with its challenge', () => {
    const [a, b] = [createPkcePair(), createPkcePair()];
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(pkceChallengeOf(a.verifier));
  });
});

describe('OAuth2Client', () => {
  it('builds the authorize URL with state, scopes and the S256 challenge', () => {
    const url = new URL(new OAuth2Client(settings('http://127.0.0.1:1')).authorizeUrl('state-123', 'challenge-abc', { prompt: 'consent' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: '1234560123453231555',
      redirect_uri: 'https://activity.example/v2/accounts/discord/callback',
      scope: 'identify connections',
      state: 'state-123',
      code_challenge: 'challenge-abc',
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
  });

  it('exchanges a code form-encoded with HTTP Basic client authentication and the verifier, and refreshes and revokes the same way', async () => {
    const provider = await fakeProvider(({ path, form }) =>
      path.endsWith('/revoke')
        ? { status: 200, body: undefined }
        : { status: 200, body: { access_token: `at-${form['grant_type']}`, refresh_token: 'rt-1', expires_in: 604800, scope: 'identify connections', token_type: 'Bearer' } },
    );
    try {
      const client = new OAuth2Client(settings(provider.url));
      const now = new Date('2026-11-27T10:00:00Z');
      const tokens = await client.exchangeCode('code-xyz', 'verifier-abc', now);
      expect(tokens).toEqual({ accessToken: 'at-authorization_code', refreshToken: 'rt-1', expiresAt: new Date('2026-12-04T10:00:00Z'), scopes: ['identify', 'connections'] });
      expect((await client.refresh('rt-1', now)).accessToken).toBe('at-refresh_token');
      await client.revoke('rt-1');

      const basic = `Basic ${Buffer.from(`${encodeURIComponent('1234560123453231555')}:${encodeURIComponent('s3cr3t:with/odd chars')}`).toString('base64')}`;
      expect(provider.received.map((r) => [r.path, r.contentType, r.authorization])).toEqual([
        ['/api/oauth2/token', 'application/x-www-form-urlencoded', basic],
        ['/api/oauth2/token', 'application/x-www-form-urlencoded', basic],
        ['/api/oauth2/token/revoke', 'application/x-www-form-urlencoded', basic],
      ]);
      expect(provider.received[0]!.form).toEqual({
        grant_type: 'authorization_code',
        code: 'code-xyz',
        redirect_uri: 'https://activity.example/v2/accounts/discord/callback',
        code_verifier: 'verifier-abc',
      });
      expect(provider.received[1]!.form).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
      expect(provider.received[2]!.form).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token' });
    } finally {
      await provider.close();
    }
  });

  it('reports a bad, expired or reused code as oauth_invalid_grant and a failing provider as unavailable', async () => {
    const provider = await fakeProvider(({ form }) =>
      form['code'] === 'bad' ? { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid "code" in request.' } } : { status: 502, body: {} },
    );
    try {
      const client = new OAuth2Client(settings(provider.url));
      const codeOf = (work: Promise<unknown>) =>
        work.then(
          () => 'resolved',
          (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
        );
      expect(await codeOf(client.exchangeCode('bad', 'v'))).toBe('oauth_invalid_grant');
      expect(await codeOf(client.exchangeCode('other', 'v'))).toBe('dependency_unavailable');
    } finally {
      await provider.close();
    }
  });

  it('refreshes five minutes before expiry, not later', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    expect(OAuth2Client.needsRefresh({ expiresAt: new Date('2026-11-27T10:05:00Z') }, now)).toBe(true);
    expect(OAuth2Client.needsRefresh({ expiresAt: new Date('2026-11-27T10:05:01Z') }, now)).toBe(false);
  });
});
