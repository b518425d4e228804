import type { TObject } from '@sinclair/typebox';
import { loadTranslations, MessageCatalogue, placeholdersOf, PLATFORM_MESSAGES, type TranslationTree, type Translations } from '@activity/i18n';
import { ERROR_STATUS } from '@activity/domain';
import { BUILT_IN_CONNECTORS } from './built-in-connectors';

/** Every key path of a tree whose value is a message. */
function keysOf(tree: TranslationTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keysOf(value, `${prefix}${key}.`)));
}

function messageAt(tree: TranslationTree, key: string): string {
  return key.split('.').reduce<string | TranslationTree>((node, part) => (node as TranslationTree)[part]!, tree) as string;
}

const SUMMARY_ARGS = ['actor', 'object', 'target', 'type'];

describe('the message catalogues (platform and every built-in connector)', () => {
  let translations: Translations;
  beforeAll(async () => {
    translations = await loadTranslations([PLATFORM_MESSAGES, ...BUILT_IN_CONNECTORS.flatMap((connector) => (connector.messages ? [connector.messages] : []))]);
  });

  it('has English and Russian and nothing half-translated: every key exists in every locale', () => {
    expect(Object.keys(translations).sort()).toEqual(['en', 'ru']);
    expect(keysOf(translations['ru']!).sort()).toEqual(keysOf(translations['en']!).sort());
  });

  it('uses the same placeholders in every locale, so an argument filled for one is filled for all', () => {
    for (const key of keysOf(translations['en']!)) {
      expect({ key, placeholders: placeholdersOf(messageAt(translations['ru']!, key)) }).toEqual({ key, placeholders: placeholdersOf(messageAt(translations['en']!, key)) });
    }
  });

  it('gives every error code a title and a detail, and fills every placeholder from the params', () => {
    const catalogue = MessageCatalogue.fromTranslations(translations);
    for (const code of Object.keys(ERROR_STATUS)) {
      for (const locale of ['en', 'ru']) {
        const detail = messageAt(translations[locale]!, `errors.${code}.detail`);
        const args = Object.fromEntries(placeholdersOf(detail).map((name) => [name, 7]));
        const text = catalogue.format(locale, `errors.${code}.detail`, args);
        expect({ code, locale, text }).toEqual({ code, locale, text: expect.not.stringMatching(/undefined|\{|\}/) });
        expect(catalogue.format(locale, `errors.${code}.title`)).toBeTruthy();
      }
    }
  });

  it('summarises every event type of every connector from arguments the feed supplies', () => {
    for (const connector of BUILT_IN_CONNECTORS) {
      for (const eventType of connector.eventTypes) {
        const payloadFields = Object.keys((eventType.payloadSchema as TObject).properties ?? {});
        for (const locale of ['en', 'ru']) {
          const message = messageAt(translations[locale]!, `events.${eventType.type}`);
          expect(typeof message).toBe('string');
          const unknown = placeholdersOf(message).filter((name) => !SUMMARY_ARGS.includes(name) && !payloadFields.includes(name));
          expect({ type: eventType.type, locale, unknown }).toEqual({ type: eventType.type, locale, unknown: [] });
        }
      }
    }
  });

  it('declines Russian counts (1 секунду, 2 секунды, 5 секунд) and keeps English singular and plural apart', () => {
    const catalogue = MessageCatalogue.fromTranslations(translations);
    const retry = (locale: string, seconds: number) => catalogue.format(locale, 'errors.rate_limited.detail', { retryAfterSeconds: seconds });
    expect([1, 2, 5, 11, 22].map((seconds) => retry('ru', seconds))).toEqual([
      'Повторите запрос через 1 секунду.',
      'Повторите запрос через 2 секунды.',
      'Повторите запрос через 5 секунд.',
      'Повторите запрос через 11 секунд.',
      'Повторите запрос через 22 секунды.',
    ]);
    expect(retry('en', 1)).toBe('Slow down; retry after 1 second.');
    expect(retry('en', 30)).toBe('Slow down; retry after 30 seconds.');
  });

  it('words aggregated groups with plurals in each language', () => {
    const catalogue = MessageCatalogue.fromTranslations(translations);
    const achievements = { actor: 'alice', target: 'Team Fortress 2', count: 5 };
    expect(catalogue.format('en', 'groups.steam.achievement.unlocked', achievements)).toBe('alice unlocked 5 achievements in Team Fortress 2');
    expect(catalogue.format('en', 'groups.steam.achievement.unlocked', { ...achievements, count: 1 })).toBe('alice unlocked an achievement in Team Fortress 2');
    expect(catalogue.format('ru', 'groups.steam.achievement.unlocked', achievements)).toBe('alice получает 5 достижений в Team Fortress 2');
    expect(catalogue.format('ru', 'groups.steam.achievement.unlocked', { ...achievements, count: 2 })).toBe('alice получает 2 достижения в Team Fortress 2');
    expect(catalogue.format('en', 'groups.minecraft.player.joined', { actor: 'bob', target: 'Survival', count: 3 })).toBe('bob joined Survival 3 times');
    expect(catalogue.format('ru', 'groups.minecraft.player.joined', { actor: 'bob', target: 'Survival', count: 3 })).toBe('bob заходит на Survival 3 раза');
    const generic = { actor: 'alice', actorCount: 3, count: 21, latest: 'alice posted' };
    expect(catalogue.format('en', 'feed.group.fallback', generic)).toBe('alice and 2 others: 21 events, the latest: alice posted');
    expect(catalogue.format('en', 'feed.group.fallback', { ...generic, actorCount: 1, count: 1 })).toBe('alice: 1 event, the latest: alice posted');
    expect(catalogue.format('ru', 'feed.group.fallback', generic)).toBe('alice и ещё 2: 21 событие, последнее: alice posted');
  });
});
