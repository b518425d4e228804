import { linksIn } from './event-links';

describe('linksIn', () => {
  it('finds links in free text, trims sentence punctuation, keeps order and no duplicates, at most 3', () => {
    expect(linksIn({ text: 'See https://example.com/a, and (https://example.org/b). Again: https://example.com/a!' })).toEqual(['https://example.com/a', 'https://example.org/b']);
    expect(linksIn({ message: 'https://one.example https://two.example https://three.example https://four.example' })).toHaveLength(3);
  });

  it('a bare link in a text field counts; structural URL fields of connectors do not', () => {
    expect(linksIn({ text: 'https://example.com/only' })).toEqual(['https://example.com/only']);
    expect(linksIn({ url: 'https://truckersmp.com/events/1', avatar: 'https://cdn.example/a.png' })).toEqual([]);
  });

  it('ignores other schemes and looks into nested text', () => {
    expect(linksIn({ text: 'javascript:alert(1) ftp://x.example file:///etc/passwd' })).toEqual([]);
    expect(linksIn({ comment: { body: 'nested https://deep.example/x here' } })).toEqual(['https://deep.example/x']);
  });
});
