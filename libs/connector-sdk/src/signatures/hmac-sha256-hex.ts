import { createHmac } from 'node:crypto';
import { DomainError } from '@activity/domain';
import { constantTimeEqual, hexDigestOf } from './constant-time';

/**
 * `sha256=<lowercase hex HMAC-SHA256(secret, signed bytes)>`. Twitch EventSub signs
 * message id + timestamp + raw body; GitHub (`X-Hub-Signature-256`) signs the body alone.
 */
export function signHmacSha256Hex(secret: string, ...parts: Array<string | Buffer>): string {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return `sha256=${mac.digest('hex')}`;
}

/** Accepts when the header matches any live secret; throws DomainError `signature_invalid` otherwise. */
export function verifyHmacSha256Hex(header: string | undefined, secrets: readonly string[], ...parts: Array<string | Buffer>): void {
  const offered = hexDigestOf(header, 'sha256=', 64);
  if (offered && secrets.some((secret) => constantTimeEqual(offered, Buffer.from(signHmacSha256Hex(secret, ...parts).slice(7), 'hex')))) return;
  throw new DomainError('signature_invalid');
}

/** Twitch: message timestamps older than 10 minutes are refused (replay guard, with the message id). */
export const TWITCH_MAX_MESSAGE_AGE_SECONDS = 10 * 60;
