import { excerptAround, findMentions, mentionTextOf } from './mentions';

const names = (text: string, maxMentions = 10) => findMentions(text, { maxMentions }).map((mention) => mention.name);

describe('findMentions', () => {
  it('finds @names at the start, after spaces and after opening punctuation, with their offsets', () => {
    expect(findMentions('@alice see (@bob_2) and "@carol.d-e"', { maxMentions: 10 })).toEqual([
      { name: 'alice', key: 'alice', start: 0, end: 6 },
      { name: 'bob_2', key: 'bob_2', start: 12, end: 18 },
      { name: 'carol.d-e', key: 'carol.d-e', start: 25, end: 35 },
    ]);
  });

  it('leaves trailing punctuation out of the name', () => {
    expect(names('thanks @bob. And @carol, @dave! @erin? @frank: @gale-')).toEqual(['bob', 'carol', 'dave', 'erin', 'frank', 'gale']);
  });

  it('does not take e-mail addresses, words with @ inside, or a lone @', () => {
    expect(names('mail alice@example.com or a.b+c@d.io, x@y, @ alone, @@double')).toEqual([]);
  });

  it('does not take @ inside URLs', () => {
    expect(names('see https://social.example/@bob and www.example.com/@carol?x=@dave, then @erin')).toEqual(['erin']);
  });

  it('does not take @ inside inline code or fenced code blocks', () => {
    expect(names('run `npm i @types/node` then ask @bob\n```\n@carol in a block\n```\n@dave')).toEqual(['bob', 'dave']);
    expect(names('an unclosed ```block with @erin')).toEqual([]);
  });

  it('works with unicode names, compared in one case and one normal form', () => {
    expect(findMentions('привет @Алиса и @алиса, @Zoë, @Zoe\u0308 @李小龍', { maxMentions: 10 }).map((mention) => [mention.name, mention.key])).toEqual([
      ['Алиса', 'алиса'],
      ['Zoë', 'zoë'],
      ['李小龍', '李小龍'],
    ]);
  });

  it('names each person once and keeps at most maxMentions of them, in order of first appearance', () => {
    expect(names('@a1 @b2 @A1 @c3 @d4', 3)).toEqual(['a1', 'b2', 'c3']);
    expect(names('@a1 @b2', 0)).toEqual([]);
  });

  it('reads mentions from the text fields of a payload only, nested one level', () => {
    expect(mentionTextOf({ text: 'hi @bob', url: 'https://x/@carol', comment: { body: 'and @dave' }, title: '@erin' })).toBe('hi @bob\n\nand @dave');
  });

  it('cuts an excerpt around a mention on word boundaries', () => {
    const text = `${'lorem ipsum '.repeat(30)}thanks @bob for the carry ${'dolor sit '.repeat(30)}`;
    const [mention] = findMentions(text, { maxMentions: 5 });
    const excerpt = excerptAround(text, mention!, 60);
    expect(excerpt).toContain('@bob');
    expect(excerpt.startsWith('…')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(70);
    expect(excerptAround('@bob gg', { start: 0, end: 4 })).toBe('@bob gg');
  });
});
