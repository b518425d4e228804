import { createHash, randomBytes } from 'node:crypto';

export interface PkcePair {
  /** Kept by us (43–128 characters of the unreserved set), sent with the code exchange. */
  readonly verifier: string;
  /** BASE64URL(SHA256(verifier)), sent in the authorize URL with method S256. */
  readonly challenge: string;
}

/** RFC 7636 with S256: 32 random bytes make a 43-character verifier. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallengeOf(verifier) };
}

export function pkceChallengeOf(verifier: string): string {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw new Error('a PKCE verifier is 43–128 unreserved characters');
  return createHash('sha256').update(verifier).digest('base64url');
}
