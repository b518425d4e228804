import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { compositeKey, DomainError } from '@activity/domain';

/**
 * HMAC authentication between platform services (both directions). The signature covers
 * `METHOD \n path?query \n timestamp \n sha256(body)`, so neither the target, the time nor the
 * body can be changed; the key id names the caller and lets keys rotate (several live per caller).
 */
export const INTERNAL_HEADERS = {
  keyId: 'x-activity-key-id',
  timestamp: 'x-activity-timestamp',
  signature: 'x-activity-signature',
} as const;

export const INTERNAL_SKEW_SECONDS = 300;

export interface InternalKey {
  readonly caller: string;
  /** base64 secret */
  readonly secret: string;
}

export function canonicalRequest(method: string, pathWithQuery: string, timestamp: string, body: Buffer | string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${bodyHash}`;
}

/** Headers another service adds to call us (or that we add to call the Access service). */
export function signInternalRequest(
  key: { id: string; secret: string },
  request: { method: string; pathWithQuery: string; body?: Buffer | string },
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = createHmac('sha256', Buffer.from(key.secret, 'base64'))
    .update(canonicalRequest(request.method, request.pathWithQuery, timestamp, request.body ?? ''))
    .digest('base64');
  return { [INTERNAL_HEADERS.keyId]: key.id, [INTERNAL_HEADERS.timestamp]: timestamp, [INTERNAL_HEADERS.signature]: signature };
}

/** Remembers signatures seen within the skew window; false when one was seen before (a replay). */
export interface NonceStore {
  remember(nonce: string, ttlSeconds: number): Promise<boolean>;
}

export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();

  async remember(nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    for (const [key, expires] of this.seen) if (expires < now) this.seen.delete(key);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + ttlSeconds * 1000);
    return true;
  }
}

export class InternalRequestVerifier {
  constructor(
    private readonly keys: ReadonlyMap<string, InternalKey>,
    private readonly nonces: NonceStore,
  ) {}

  /** Returns the calling service's name, or throws `unauthenticated` / `signature_invalid` / `signature_expired`. */
  async verify(
    request: { method: string; pathWithQuery: string; headers: Record<string, string | string[] | undefined>; body: Buffer | string },
    now: Date = new Date(),
  ): Promise<string> {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const keyId = header(INTERNAL_HEADERS.keyId);
    const timestamp = header(INTERNAL_HEADERS.timestamp);
    const signature = header(INTERNAL_HEADERS.signature);
    if (!keyId || !timestamp || !signature) throw new DomainError('unauthenticated');
    const key = this.keys.get(keyId);
    if (!key || !/^\d{1,12}$/.test(timestamp)) throw new DomainError('signature_invalid');
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > INTERNAL_SKEW_SECONDS) {
      throw new DomainError('signature_expired', { toleranceSeconds: INTERNAL_SKEW_SECONDS });
    }
    const expected = createHmac('sha256', Buffer.from(key.secret, 'base64'))
      .update(canonicalRequest(request.method, request.pathWithQuery, timestamp, request.body))
      .digest();
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new DomainError('signature_invalid');
    // The nonce is the MAC we computed, not the header as sent: base64 decoding is lenient
    // (padding, url alphabet, trailing bytes), so one signature has many spellings but one value.
    if (!(await this.nonces.remember(compositeKey(keyId, expected.toString('hex')), INTERNAL_SKEW_SECONDS * 2))) throw new DomainError('signature_invalid');
    return key.caller;
  }
}

/** `INTERNAL_HMAC_KEYS`: JSON `{ "<keyId>": { "caller": "<service>", "secret": "<base64>" } }`. */
export function parseInternalKeys(json: string): Map<string, InternalKey> {
  const parsed = JSON.parse(json) as Record<string, InternalKey>;
  const keys = new Map<string, InternalKey>();
  for (const [id, key] of Object.entries(parsed)) {
    if (typeof key?.caller !== 'string' || typeof key?.secret !== 'string' || Buffer.from(key.secret, 'base64').length < 16) {
      throw new Error(`INTERNAL_HMAC_KEYS: key "${id}" needs a caller and a base64 secret of at least 16 bytes`);
    }
    keys.set(id, key);
  }
  return keys;
}
