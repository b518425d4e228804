import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { DomainError, isStorableText } from '@activity/domain';
import { loadOrCreateDevKeyPair } from './dev-signing-key';
import type { JwtConfig } from './jwt.config';
import type { Principal } from './principal';

const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

/**
 * Verifies player bearer tokens: signature, algorithm allow-list (never "none"), iss, aud, exp/nbf.
 * A verified token is remembered until it expires (bounded LRU): the same bytes always verify the
 * same way, and signature checks are the most expensive step of a feed read.
 */
export class JwtVerifier {
  private static readonly CACHE_SIZE = 10_000;
  private readonly verified = new Map<string, { principal: Principal; notAfterMs: number }>();

  private constructor(
    private readonly key: KeyLike | JWTVerifyGetKey,
    private readonly config: JwtConfig,
  ) {}

  static async create(config: JwtConfig): Promise<JwtVerifier> {
    if (config.JWT_JWKS_URL) {
      // jose caches the key set and refetches it when a token names an unknown kid.
      return new JwtVerifier(createRemoteJWKSet(new URL(config.JWT_JWKS_URL), { cooldownDuration: config.JWT_JWKS_REFRESH_COOLDOWN_SECONDS * 1000, cacheMaxAge: 600_000 }), config);
    }
    if (config.JWT_PUBLIC_KEY) {
      const alg = config.JWT_PUBLIC_KEY.length > 300 ? 'RS256' : 'ES256';
      return new JwtVerifier(await importSPKI(config.JWT_PUBLIC_KEY, alg), config);
    }
    if (config.NODE_ENV === 'production') throw new Error('JWT_JWKS_URL or JWT_PUBLIC_KEY must be set in production');
    return new JwtVerifier((await loadOrCreateDevKeyPair(config.JWT_DEV_KEY_DIR)).publicKey, config);
  }

  private remember(token: string, principal: Principal, notAfterMs: number): void {
    if (this.verified.size >= JwtVerifier.CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, notAfterMs });
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const match = authorization ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim()) : null;
    if (!match) throw new DomainError('unauthenticated');
    const token = match[1]!;
    const cached = this.verified.get(token);
    if (cached && cached.notAfterMs > Date.now()) {
      // Refresh recency so hot tokens stay while idle ones are evicted first.
      this.verified.delete(token);
      this.verified.set(token, cached);
      return cached.principal;
    }
    try {
      const { payload } = await jwtVerify(token, this.key as KeyLike, {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        algorithms: ALGORITHMS,
        clockTolerance: this.config.JWT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      });
      const tenantId = payload['tid'];
      if (!isIdentifier(tenantId) || !isIdentifier(payload.sub))
        throw new DomainError('token_invalid', { reason: 'the tid and sub claims are required: 1 to 128 printable characters' });
      const principal = { tenantId, userId: payload.sub };
      this.remember(token, principal, (payload.exp ?? 0) * 1000 + this.config.JWT_CLOCK_TOLERANCE_SECONDS * 1000);
      return principal;
    } catch (error) {
      throw toDomainError(error);
    }
  }
}

/** Tenant and user ids end up in SQL settings, cache keys and logs: printable text only. */
function isIdentifier(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return typeof value === 'string' && value.length > 0 && value.length <= 128 && !/[\u0000-\u001f\u007f]/.test(value) && isStorableText(value);
}

function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof errors.JWTExpired) return new DomainError('token_expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason =
      error.claim === 'aud' ? 'wrong audience' : error.claim === 'iss' ? 'wrong issuer' : error.claim === 'nbf' ? 'not valid yet' : `claim ${error.claim} ${error.reason}`;
    return new DomainError('token_invalid', { reason });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new DomainError('token_invalid', { reason: 'algorithm not allowed' });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new DomainError('token_invalid', { reason: 'bad signature' });
  if (error instanceof errors.JWKSNoMatchingKey) return new DomainError('token_invalid', { reason: 'unknown signing key' });
  if (error instanceof errors.JWKSTimeout || (error as Error).name === 'JWKSInvalid') return new DomainError('dependency_unavailable', { dependency: 'JWKS' });
  return new DomainError('token_invalid', { reason: 'malformed token' });
}
