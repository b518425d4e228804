import { EventCatalogue, installEventCatalogue } from '@activity/domain';
import type { DomainError } from '@activity/domain';
import { createValidationPipe } from '@activity/http';
import { FeedQueryDto, PollQueryDto } from './feed-query.dto';
import { filterFingerprint, headFingerprint } from './feed.service';

const alice = { tenantId: 't1', userId: 'alice' } as never;
const bob = { tenantId: 't1', userId: 'bob' } as never;

beforeAll(() => {
  const schema = { type: 'object' };
  installEventCatalogue(
    new EventCatalogue([
      { type: 'minecraft.player.joined', description: 'joined', payloadSchema: schema },
      { type: 'steam.game.played', description: 'played', payloadSchema: schema },
    ]),
  );
});

async function parse<T>(metatype: new () => T, query: Record<string, string>): Promise<T> {
  return (await createValidationPipe().transform(query, { type: 'query', metatype })) as T;
}

async function violations(metatype: new () => unknown, query: Record<string, string>) {
  try {
    await parse(metatype, query);
  } catch (error) {
    return (error as DomainError).details!.map((violation) => [violation.field, violation.rule]);
  }
  throw new Error('expected the query to be refused');
}

describe('feed query validation', () => {
  it("applies the defaults: 20 items of the caller's own feed", async () => {
    expect(await parse(FeedQueryDto, {})).toMatchObject({ limit: 20, scope: 'user' });
  });

  it('reads numbers and comma-separated types from the query string', async () => {
    expect(await parse(FeedQueryDto, { limit: '100', types: 'steam.game.played, minecraft.player.joined', since: '2026-01-01', until: '2026-02-01T00:00:00Z' })).toMatchObject({
      limit: 100,
      types: ['steam.game.played', 'minecraft.player.joined'],
      since: '2026-01-01',
      until: '2026-02-01T00:00:00Z',
    });
  });

  it.each([
    [{ limit: '0' }, ['limit', 'min']],
    [{ limit: '101' }, ['limit', 'max']],
    [{ limit: '2.5' }, ['limit', 'isInt']],
    [{ types: 'minecraft.player.chat' }, ['types', 'knownEventType']],
    [{ since: 'yesterday' }, ['since', 'instant']],
    [{ scope: 'everyone' }, ['scope', 'isIn']],
    [{ cursor: 'not-a-cursor' }, ['cursor', 'matches']],
    [{ sort: 'asc' }, ['sort', 'whitelistValidation']],
  ])('%j is refused naming the field and rule %j', async (query, expected) => {
    expect(await violations(FeedQueryDto, query)).toContainEqual(expected);
  });

  it('accepts platform.* types without their being declared', async () => {
    expect((await parse(FeedQueryDto, { types: 'platform.tournament.won' })).types).toEqual(['platform.tournament.won']);
  });

  it('bounds a long-poll between 1 and 30 seconds', async () => {
    expect(await parse(PollQueryDto, {})).toMatchObject({ timeout: 25, scope: 'user' });
    expect(await violations(PollQueryDto, { timeout: '31' })).toContainEqual(['timeout', 'max']);
  });
});

describe('cursor fingerprints', () => {
  const query = { scope: 'user' as const, types: ['steam.game.played', 'minecraft.player.joined'], since: '2026-01-01' };

  it('does not depend on the order types are listed in', () => {
    expect(filterFingerprint(alice, query)).toBe(filterFingerprint(alice, { ...query, types: [...query.types].reverse() }));
  });

  it('binds a cursor to the user, the scope and every filter', () => {
    const base = filterFingerprint(alice, query);
    expect(filterFingerprint(bob, query)).not.toBe(base);
    expect(filterFingerprint(alice, { ...query, scope: 'tenant' })).not.toBe(base);
    expect(filterFingerprint(alice, { ...query, types: ['steam.game.played'] })).not.toBe(base);
    expect(filterFingerprint(alice, { ...query, since: '2026-01-02' })).not.toBe(base);
    expect(filterFingerprint(alice, { ...query, until: '2026-03-01' })).not.toBe(base);
  });

  it('gives head cursors a fingerprint per user and scope, whatever the filters', () => {
    expect(headFingerprint(alice, 'user')).not.toBe(filterFingerprint(alice, { scope: 'user' }));
    expect(headFingerprint(alice, 'user')).not.toBe(headFingerprint(alice, 'tenant'));
    expect(headFingerprint(alice, 'user')).not.toBe(headFingerprint(bob, 'user'));
  });
});
