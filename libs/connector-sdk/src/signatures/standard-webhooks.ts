import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { DomainError } from '@activity/domain';

/** Standard Webhooks (standardwebhooks.com): ±5 minutes, as the reference libraries use. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

// DER prefixes of Ed25519 keys (PKCS#8 private, SPKI public); the raw 32 bytes follow.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** `whpk_<base64 of the raw 32-byte Ed25519 public key>`, the spec's asymmetric verification key. */
export function standardWebhookPublicKey(key: string): KeyObject {
  const raw = Buffer.from(key.startsWith('whpk_') ? key.slice(5) : key, 'base64');
  if (raw.length !== 32) throw new Error('a whpk_ key is the base64 of a 32-byte Ed25519 public key');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** `v1a,<base64 Ed25519 signature of "id.timestamp.body">` with `whsk_<base64 of the 32-byte seed>` (senders and tests). */
export function signStandardWebhookEd25519(secretKey: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const seed = Buffer.from(secretKey.startsWith('whsk_') ? secretKey.slice(5) : secretKey, 'base64');
  if (seed.length !== 32) throw new Error('a whsk_ key is the base64 of a 32-byte Ed25519 seed');
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return `v1a,${sign(null, Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), Buffer.from(body)]), key).toString('base64')}`;
}

/** The `whpk_` public key of a `whsk_` secret key. */
export function standardWebhookPublicKeyOf(secretKey: string): string {
  const seed = Buffer.from(secretKey.startsWith('whsk_') ? secretKey.slice(5) : secretKey, 'base64');
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return `whpk_${spki.subarray(ED25519_SPKI_PREFIX.length).toString('base64')}`;
}

/**
 * Verifies a delivery against every live secret (rotation), in constant time per comparison.
 * A `whsec_` secret checks the `v1,` (HMAC) entries; a `whpk_` public key the `v1a,` (Ed25519) ones.
 * Throws `signature_invalid` (missing/garbled headers, no match) or `signature_expired`
 * (timestamp outside the tolerance, in either direction).
 */
export function verifyStandardWebhook(
  headers: StandardWebhookHeaders,
  body: Buffer,
  secrets: readonly string[],
  now: Date = new Date(),
  toleranceSeconds = STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
): { id: string; timestamp: Date } {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || id.includes('.') || !/^\d{1,12}$/.test(timestamp)) {
    throw new DomainError('signature_invalid');
  }
  const seconds = Number(timestamp);
  if (Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) {
    throw new DomainError('signature_expired', { toleranceSeconds });
  }
  const entries = signature.split(' ');
  const offered = entries.filter((entry) => entry.startsWith('v1,')).map((entry) => Buffer.from(entry.slice(3), 'base64'));
  const offeredAsymmetric = entries.filter((entry) => entry.startsWith('v1a,')).map((entry) => Buffer.from(entry.slice(4), 'base64'));
  for (const secret of secrets) {
    if (secret.startsWith('whpk_')) {
      if (offeredAsymmetric.length === 0) continue;
      let key: KeyObject;
      try {
        key = standardWebhookPublicKey(secret);
      } catch {
        continue;
      }
      const signed = Buffer.concat([Buffer.from(`${id}.${seconds}.`), body]);
      if (offeredAsymmetric.some((candidate) => candidate.length === 64 && verify(null, signed, key, candidate))) return { id, timestamp: new Date(seconds * 1000) };
      continue;
    }
    const expected = Buffer.from(signStandardWebhook(secret, id, seconds, body).slice(3), 'base64');
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { id, timestamp: new Date(seconds * 1000) };
    }
  }
  throw new DomainError('signature_invalid');
}
