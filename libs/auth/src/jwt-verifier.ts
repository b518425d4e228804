import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { DomainError } from '@activity/domain';
import { loadOrCreateDevKeyPair } from './dev-signing-key';
import type { JwtConfig } from './jwt.config';
import type { Principal } from './principal';

const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

/** Verifies player bearer tokens: signature, algorithm allow-list (never "none"), iss, aud, exp/nbf. */
export class JwtVerifier {
  private constructor(
    private readonly key: KeyLike | JWTVerifyGetKey,
    private readonly config: JwtConfig,
  ) {}

  static async create(config: JwtConfig): Promise<JwtVerifier> {
    if (config.JWT_JWKS_URL) {
      // jose caches the key set and refetches it when a token names an unknown kid.
      return new JwtVerifier(createRemoteJWKSet(new URL(config.JWT_JWKS_URL), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }), config);
    }
    if (config.JWT_PUBLIC_KEY) {
      const alg = config.JWT_PUBLIC_KEY.length > 300 ? 'RS256' : 'ES256';
      return new JwtVerifier(await importSPKI(config.JWT_PUBLIC_KEY, alg), config);
    }
    if (config.NODE_ENV === 'production') throw new Error('JWT_JWKS_URL or JWT_PUBLIC_KEY must be set in production');
    return new JwtVerifier((await loadOrCreateDevKeyPair(config.JWT_DEV_KEY_DIR)).publicKey, config);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const match = authorization ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim()) : null;
    if (!match) throw new DomainError('unauthenticated');
    try {
      const { payload } = await jwtVerify(match[1]!, this.key as KeyLike, {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        algorithms: ALGORITHMS,
        clockTolerance: this.config.JWT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      });
      const tenantId = payload['tid'];
      if (typeof tenantId !== 'string' || !tenantId || !payload.sub) throw new DomainError('token_invalid', { reason: 'the tid and sub claims are required' });
      return { tenantId, userId: payload.sub };
    } catch (error) {
      throw toDomainError(error);
    }
  }
}

function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof errors.JWTExpired) return new DomainError('token_expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.claim === 'aud' ? 'wrong audience' : error.claim === 'iss' ? 'wrong issuer' : error.claim === 'nbf' ? 'not valid yet' : `claim ${error.claim} ${error.reason}`;
    return new DomainError('token_invalid', { reason });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new DomainError('token_invalid', { reason: 'algorithm not allowed' });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new DomainError('token_invalid', { reason: 'bad signature' });
  if (error instanceof errors.JWKSNoMatchingKey) return new DomainError('token_invalid', { reason: 'unknown signing key' });
  if (error instanceof errors.JWKSTimeout || (error as Error).name === 'JWKSInvalid') return new DomainError('dependency_unavailable', { dependency: 'JWKS' });
  return new DomainError('token_invalid', { reason: 'malformed token' });
}
