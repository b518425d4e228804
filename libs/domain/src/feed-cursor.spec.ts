import { DomainError } from './domain-error';
import { FeedCursor } from './feed-cursor';

describe('FeedCursor', () => {
  const cursors = new FeedCursor('a-test-secret-of-enough-length');
  const position = { occurredAt: new Date('2026-11-26T10:00:00.123Z'), id: '9007199254740993' };

  it('round-trips a position bound to its filters, keeping bigint ids exact', () => {
    const token = cursors.encode(position, 'filters-a');
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cursors.decode(token, 'filters-a')).toEqual(position);
  });

  it('rejects a cursor replayed with other filters', () => {
    const token = cursors.encode(position, 'filters-a');
    expect(() => cursors.decode(token, 'filters-b')).toThrow(DomainError);
  });

  it('rejects a cursor whose body was edited', () => {
    const [, mac] = cursors.encode(position, 'f').split('.');
    const forged = Buffer.from(JSON.stringify({ t: position.occurredAt.toISOString(), i: '1' })).toString('base64url');
    expect(() => cursors.decode(`${forged}.${mac}`, 'f')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('rejects a cursor signed with another secret', () => {
    const other = new FeedCursor('another-secret-of-enough-length');
    expect(() => cursors.decode(other.encode(position, 'f'), 'f')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it.each(['', 'abc', 'a.b.c', '!!!.???'])('rejects garbage %p', (token) => {
    expect(() => cursors.decode(token, 'f')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('refuses a short secret', () => {
    expect(() => new FeedCursor('short')).toThrow(/at least 16/);
  });
});
