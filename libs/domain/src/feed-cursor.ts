import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './domain-error';

/** A position in a feed ordered by (occurred_at desc, id desc). */
export interface FeedPosition {
  readonly occurredAt: Date;
  readonly id: string;
}

/**
 * Opaque, tamper-evident tokens: base64url(JSON) + "." + HMAC over the body and a fingerprint of
 * the filters it was issued for, so a token replayed with other filters (or edited by hand) fails
 * verification (`invalid_cursor`) instead of returning a wrong page.
 */
export class SignedCursorCodec {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('cursor secret must be at least 16 characters');
  }

  encode(value: Record<string, unknown>, filterFingerprint: string): string {
    const body = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${body}.${this.sign(body, filterFingerprint)}`;
  }

  /** The JSON object the token carries; throws `invalid_cursor` unless it is genuine and for these filters. */
  decode(token: string, filterFingerprint: string): Record<string, unknown> {
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DomainError('invalid_cursor');
    return parsed as Record<string, unknown>;
  }

  private sign(body: string, filterFingerprint: string): string {
    return createHmac('sha256', this.secret).update(body).update('\n').update(filterFingerprint).digest('base64url').slice(0, 32);
  }
}

/** The feed's keyset cursor: a signed (occurred_at, id) position. */
export class FeedCursor {
  private readonly codec: SignedCursorCodec;

  constructor(secret: string) {
    this.codec = new SignedCursorCodec(secret);
  }

  encode(position: FeedPosition, filterFingerprint: string): string {
    return this.codec.encode({ t: position.occurredAt.toISOString(), i: position.id }, filterFingerprint);
  }

  decode(token: string, filterFingerprint: string): FeedPosition {
    const { t, i } = this.codec.decode(token, filterFingerprint);
    const occurredAt = typeof t === 'string' ? new Date(t) : undefined;
    if (!occurredAt || Number.isNaN(occurredAt.getTime()) || typeof i !== 'string' || !/^\d{1,19}$/.test(i)) {
      throw new DomainError('invalid_cursor');
    }
    return { occurredAt, id: i };
  }
}

/** A position in an aggregated feed ordered by (group position desc, group key desc). */
export interface GroupPosition {
  readonly at: Date;
  readonly key: string;
}

/** The aggregated feed's keyset cursor: a signed (position, group key). */
export class GroupCursor {
  private readonly codec: SignedCursorCodec;

  constructor(secret: string) {
    this.codec = new SignedCursorCodec(secret);
  }

  encode(position: GroupPosition, filterFingerprint: string): string {
    return this.codec.encode({ t: position.at.toISOString(), g: position.key }, filterFingerprint);
  }

  decode(token: string, filterFingerprint: string): GroupPosition {
    const { t, g } = this.codec.decode(token, filterFingerprint);
    const at = typeof t === 'string' ? new Date(t) : undefined;
    if (!at || Number.isNaN(at.getTime()) || typeof g !== 'string' || g.length > 300) throw new DomainError('invalid_cursor');
    return { at, key: g };
  }
}
