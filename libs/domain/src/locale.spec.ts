import { negotiateLocale } from './locale';

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ru', 'ru'],
    ['ru-RU,ru;q=0.9,en;q=0.8', 'ru'],
    ['en-GB;q=0.5, ru;q=0.9', 'ru'],
    ['de-DE, fr;q=0.9', 'en'],
    ['de, ru;q=0.1', 'ru'],
    ['ru;q=0, en', 'en'],
    ['*', 'en'],
  ])('%s -> %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});
