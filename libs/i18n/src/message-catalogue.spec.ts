import { loadMessageCatalogue } from './load-message-catalogue';
import { MessageCatalogue, placeholdersOf } from './message-catalogue';
import { PLATFORM_MESSAGES } from './message-directories';

describe('MessageCatalogue', () => {
  const catalogue = MessageCatalogue.fromTranslations({
    en: { feed: { played: '{actor} played {minutes, plural, one {# minute} other {# minutes}}' }, plain: 'Hello' },
    ru: { feed: { played: '{actor}: {minutes, plural, one {# минута} few {# минуты} many {# минут} other {# минуты}}' } },
  });

  it("formats ICU plurals by each locale's rules", () => {
    expect(catalogue.format('en', 'feed.played', { actor: 'a', minutes: 1 })).toBe('a played 1 minute');
    expect(catalogue.format('en', 'feed.played', { actor: 'a', minutes: 3 })).toBe('a played 3 minutes');
    expect([1, 3, 5, 21, 112].map((minutes) => catalogue.format('ru', 'feed.played', { actor: 'a', minutes }))).toEqual([
      'a: 1 минута',
      'a: 3 минуты',
      'a: 5 минут',
      'a: 21 минута',
      'a: 112 минут',
    ]);
  });

  it('answers undefined for a key a locale lacks, so callers choose their fallback', () => {
    expect(catalogue.format('ru', 'plain')).toBeUndefined();
    expect(catalogue.has('en', 'plain')).toBe(true);
    expect(catalogue.format('en', 'feed.nothing')).toBeUndefined();
  });

  it('prints a missing argument as nothing rather than "undefined"', () => {
    expect(catalogue.format('en', 'feed.played', { minutes: 2 })).toBe(' played 2 minutes');
  });

  it('compiles a message once per locale and key', () => {
    let lookups = 0;
    const counted = new MessageCatalogue((_locale, key) => (lookups++, key === 'k' ? '{n} items' : undefined), ['en']);
    for (let i = 0; i < 5; i += 1) counted.format('en', 'k', { n: i });
    counted.format('en', 'missing');
    counted.format('en', 'missing');
    expect(lookups).toBe(2);
  });
});

describe('placeholdersOf', () => {
  it('finds arguments at every depth of plural and select', () => {
    expect(placeholdersOf('{a} {n, plural, one {# {b}} other {{c}}} {g, select, x {{d}} other {}}')).toEqual(['a', 'b', 'c', 'd', 'g', 'n']);
  });
});

describe('loadMessageCatalogue', () => {
  it("reads the platform's catalogues with nestjs-i18n's loader, both locales", async () => {
    const platform = await loadMessageCatalogue([PLATFORM_MESSAGES]);
    expect(platform.format('en', 'errors.not_found.title')).toBe('Not found');
    expect(platform.format('ru', 'errors.not_found.title')).toBe('Не найдено');
  });
});
