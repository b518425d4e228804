import { createHmac, timingSafeEqual } from 'node:crypto';
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

/**
 * Verifies a delivery against every live secret (rotation), in constant time per comparison.
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
  const offered = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signStandardWebhook(secret, id, seconds, body).slice(3), 'base64');
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { id, timestamp: new Date(seconds * 1000) };
    }
  }
  throw new DomainError('signature_invalid');
}
