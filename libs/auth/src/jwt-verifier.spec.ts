import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { loadConfig } from '@activity/config';
import { JwtConfig } from './jwt.config';
import { JwtVerifier } from './jwt-verifier';

const ISSUER = 'https://id.platform.test';
const AUDIENCE = 'activity-service';

async function sign(key: KeyLike, claims: Record<string, unknown> = {}, options: { kid?: string; exp?: string | number; iss?: string; aud?: string; alg?: string } = {}) {
  const jwt = new SignJWT({ tid: 'acme', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', ...(options.kid ? { kid: options.kid } : {}) })
    .setSubject(typeof claims['sub'] === 'string' ? claims['sub'] : 'alice')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m');
  return jwt.sign(key);
}

describe('JwtVerifier', () => {
  let keys: { privateKey: KeyLike; publicKey: KeyLike };
  let verifier: JwtVerifier;

  beforeAll(async () => {
    keys = await generateKeyPair('ES256', { extractable: true });
    const config = loadConfig(JwtConfig, { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_PUBLIC_KEY: await exportSPKI(keys.publicKey) });
    verifier = await JwtVerifier.create(config);
  });

  it.each([
    ['a NUL in tid', { tid: 'acme\u0000x' }],
    ['a control character in tid', { tid: 'acme\nx' }],
    ['a lone surrogate in sub', { sub: 'ali\ud800ce' }],
    ['an empty tid', { tid: '' }],
    ['a 129-character sub', { sub: 'a'.repeat(129) }],
  ])('refuses a validly signed token with %s', async (_what, claims) => {
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, claims)}`)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('accepts a good token and reads tenant and user from tid and sub', async () => {
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey)}`)).resolves.toEqual({ tenantId: 'acme', userId: 'alice' });
  });

  it('asks for a token when there is none or it is not a bearer token', async () => {
    await expect(verifier.verify(undefined)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(verifier.verify('Basic YWxpY2U6c2VjcmV0')).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('says "expired" past exp plus the leeway, and accepts within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, {}, { exp: now - 60 })}`)).rejects.toMatchObject({ code: 'token_expired' });
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, {}, { exp: now - 10 })}`)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('says which claim is wrong', async () => {
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, {}, { iss: 'https://evil.test' })}`)).rejects.toMatchObject({
      code: 'token_invalid',
      params: { reason: 'wrong issuer' },
    });
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, {}, { aud: 'billing' })}`)).rejects.toMatchObject({
      code: 'token_invalid',
      params: { reason: 'wrong audience' },
    });
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, { tid: undefined })}`)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(verifier.verify(`Bearer ${await sign(keys.privateKey, { nbf: Math.floor(Date.now() / 1000) + 600 })}`)).rejects.toMatchObject({
      code: 'token_invalid',
      params: { reason: 'not valid yet' },
    });
  });

  it('rejects a tampered token', async () => {
    const [header, payload, signature] = (await sign(keys.privateKey)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), tid: 'other-tenant' })).toString('base64url');
    await expect(verifier.verify(`Bearer ${header}.${forged}.${signature}`)).rejects.toMatchObject({ code: 'token_invalid', params: { reason: 'bad signature' } });
  });

  it('rejects alg "none" and a token signed by another key', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'alice', tid: 'acme', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url');
    await expect(verifier.verify(`Bearer ${header}.${body}.`)).rejects.toMatchObject({ code: 'token_invalid' });
    const other = await generateKeyPair('ES256');
    await expect(verifier.verify(`Bearer ${await sign(other.privateKey)}`)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('fetches keys from a JWKS URL and refetches on an unknown kid (key rotation)', async () => {
    const first = await generateKeyPair('ES256', { extractable: true });
    const second = await generateKeyPair('ES256', { extractable: true });
    let served = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    let fetches = 0;
    const server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const jwks = await JwtVerifier.create(loadConfig(JwtConfig, { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: url, JWT_JWKS_REFRESH_COOLDOWN_SECONDS: '0' }));
      await expect(jwks.verify(`Bearer ${await sign(first.privateKey, {}, { kid: 'k1' })}`)).resolves.toMatchObject({ tenantId: 'acme' });
      await jwks.verify(`Bearer ${await sign(first.privateKey, { n: 2 }, { kid: 'k1' })}`);
      expect(fetches).toBe(1);
      served = [...served, { ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }];
      await expect(jwks.verify(`Bearer ${await sign(second.privateKey, {}, { kid: 'k2' })}`)).resolves.toMatchObject({ userId: 'alice' });
      expect(fetches).toBe(2);
    } finally {
      server.close();
    }
  });
});
