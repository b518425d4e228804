import { createHmac } from 'node:crypto';
import { DomainError } from '@activity/domain';
import { constantTimeEqual, hexDigestOf } from './constant-time';

/** WebSub (YouTube's hub) and GitHub's legacy header: `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, raw body)>`. */
export function signHubSignatureSha1(secret: string, body: string | Buffer): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

/**
 * Throws DomainError `signature_invalid` unless the header matches a live secret. (WebSub lets a
 * subscriber answer 2xx to a bad signature and ignore the message; the connector decides that.)
 */
export function verifyHubSignatureSha1(header: string | undefined, secrets: readonly string[], body: Buffer): void {
  const offered = hexDigestOf(header, 'sha1=', 40);
  if (offered && secrets.some((secret) => constantTimeEqual(offered, Buffer.from(signHubSignatureSha1(secret, body).slice(5), 'hex')))) return;
  throw new DomainError('signature_invalid');
}
