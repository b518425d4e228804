import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { DomainError } from '@activity/domain';

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// DER prefix of an Ed25519 PKCS#8 private key; the raw 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Signs as Discord does (Ed25519 over timestamp + raw body, hex), with a 32-byte seed given as
 * hex: for senders we control (the demo, tests), never needed to receive.
 */
export function signEd25519Hex(seedHex: string, timestamp: string, body: Buffer | string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(seedHex)) throw new Error('an Ed25519 seed is 64 hex characters');
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  return sign(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]), key).toString('hex');
}

// Parsing a key costs several times the verification itself (measured in bench/discord): keep the
// few keys in use (one per source and rotation), bounded.
const parsedKeys = new Map<string, KeyObject>();
const MAX_PARSED_KEYS = 1_000;

/** An Ed25519 public key given as 64 hex characters (how Discord shows an application's key). */
export function ed25519PublicKeyFromHex(hex: string): KeyObject {
  const cached = parsedKeys.get(hex);
  if (cached) return cached;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('an Ed25519 public key is 64 hex characters');
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
  if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
  parsedKeys.set(hex, key);
  return key;
}

/**
 * Discord: `X-Signature-Ed25519` (hex) over `X-Signature-Timestamp` + raw body, checked with the
 * application's public key; any of the given keys may match (rotation). Throws DomainError
 * `signature_invalid` (Discord expects 401, and probes with bad signatures on purpose).
 */
export function verifyEd25519(signatureHex: string | undefined, timestamp: string | undefined, body: Buffer, publicKeysHex: readonly string[]): void {
  if (!signatureHex || !timestamp || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) throw new DomainError('signature_invalid');
  const signature = Buffer.from(signatureHex, 'hex');
  const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
  for (const hex of publicKeysHex) {
    let key: KeyObject;
    try {
      key = ed25519PublicKeyFromHex(hex);
    } catch {
      continue;
    }
    if (verify(null, message, key, signature)) return;
  }
  throw new DomainError('signature_invalid');
}
