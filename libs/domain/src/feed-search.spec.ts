import { searchDocument } from './search-document';
import { SearchCursor, searchConfigurations, searchTsquery } from './feed-search';

describe('searchTsquery', () => {
  it('keeps only words, quoted, and lets the last one also match as a prefix', () => {
    expect(searchTsquery('alice unlocked')).toBe("'alice' & ('unlocked' | 'unlocked':*)");
    expect(searchTsquery('Достижения')).toBe("('достижения' | 'достижения':*)");
  });

  it.each([
    ["a'b & !c | (d:* <-> e", "'a' & 'b' & 'c' & 'd' & ('e' | 'e':*)"],
    ["'; DROP TABLE activity_events; --", "'drop' & 'table' & 'activity' & ('events' | 'events':*)"],
    ['(((', null],
    ['!&|:*', null],
    ['', null],
  ])('hostile input %j reaches the tsquery parser as quoted words only', (input, expected) => {
    const result = searchTsquery(input);
    expect(result).toBe(expected);
    if (result) expect(result.replace(/'[\p{L}\p{N}]+'/gu, 'W')).toMatch(/^(W & )*\(W \| W:\*\)$/);
  });

  it('bounds a 10 KB query to 16 words of at most 64 characters', () => {
    const result = searchTsquery(`${'word '.repeat(2_000)}${'x'.repeat(200)}`)!;
    expect(result.match(/'[^']+'/g)!.length).toBe(17); // 15 words, then the last one twice (exact and prefix)
    expect(searchTsquery('y'.repeat(200))).toBe(`('${'y'.repeat(64)}' | '${'y'.repeat(64)}':*)`);
  });

  it('searches both languages when the language is unknown', () => {
    expect(searchConfigurations('en')).toEqual(['english']);
    expect(searchConfigurations('ru')).toEqual(['russian']);
    expect(searchConfigurations('any')).toEqual(['english', 'russian']);
  });
});

describe('SearchCursor', () => {
  const cursors = new SearchCursor('a-search-cursor-secret');
  const position = { asOf: new Date('2026-11-27T10:00:00Z'), maxId: '1000', score: 1.234567890123, id: '42' };

  it('round-trips the snapshot and position exactly, for the same search only', () => {
    const token = cursors.encode(position, 'fingerprint');
    expect(cursors.decode(token, 'fingerprint')).toEqual(position);
    expect(() => cursors.decode(token, 'another search')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
    expect(() => cursors.decode(`x${token}`, 'fingerprint')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});

describe('searchDocument', () => {
  it('holds the summaries without markup, the names and the payload’s free text; no URLs or ids', () => {
    const text = searchDocument({
      summaries: ['alice unlocked *Head of the Class* in Team Fortress 2', 'alice получает достижение *Head of the Class*'],
      actor: { type: 'Person', id: 'steam:user:1', name: 'alice' },
      object: { type: 'Achievement', id: 'a', name: 'Head of the Class' },
      target: { type: 'Game', id: 'g', name: 'Team Fortress 2' },
      payload: { description: 'Play a complete round with every class', url: 'https://example.com/x', id: '0123456789abcdef0123', n: 5, nested: { note: 'Первый раз' } },
    });
    expect(text.split('\n')).toEqual([
      'alice unlocked Head of the Class in Team Fortress 2',
      'alice получает достижение Head of the Class',
      'alice',
      'Head of the Class',
      'Team Fortress 2',
      'Play a complete round with every class',
      'Первый раз',
    ]);
  });

  it('is bounded', () => {
    const text = searchDocument({
      summaries: [],
      actor: { type: 'Person', id: 'x' },
      payload: { a: 'word '.repeat(100), list: Array.from({ length: 100 }, (_, i) => `text number ${i} `.repeat(30)) },
    });
    expect(text.length).toBeLessThanOrEqual(4_000);
  });
});
