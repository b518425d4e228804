import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './domain-error';

/** A position in a feed ordered by (occurred_at desc, id desc). */
export interface FeedPosition {
  readonly occurredAt: Date;
  readonly id: string;
}

/**
 * Opaque, tamper-evident keyset cursor. The token is base64url(JSON) + "." + HMAC over the
 * body and a fingerprint of the filters it was issued for, so a cursor replayed with other
 * filters (or edited by hand) fails verification instead of returning a wrong page.
 */
export class FeedCursor {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('FeedCursor secret must be at least 16 characters');
  }

  encode(position: FeedPosition, filterFingerprint: string): string {
    const body = Buffer.from(JSON.stringify({ t: position.occurredAt.toISOString(), i: position.id })).toString('base64url');
    return `${body}.${this.sign(body, filterFingerprint)}`;
  }

  decode(token: string, filterFingerprint: string): FeedPosition {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) throw new DomainError('invalid_cursor');
    const expected = Buffer.from(this.sign(body, filterFingerprint));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new DomainError('invalid_cursor');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new DomainError('invalid_cursor');
    }
    const { t, i } = (parsed ?? {}) as { t?: unknown; i?: unknown };
    const occurredAt = typeof t === 'string' ? new Date(t) : undefined;
    if (!occurredAt || Number.isNaN(occurredAt.getTime()) || typeof i !== 'string' || !/^\d{1,19}$/.test(i)) {
      throw new DomainError('invalid_cursor');
    }
    return { occurredAt, id: i };
  }

  private sign(body: string, filterFingerprint: string): string {
    return createHmac('sha256', this.secret).update(body).update('\n').update(filterFingerprint).digest('base64url').slice(0, 32);
  }
}
