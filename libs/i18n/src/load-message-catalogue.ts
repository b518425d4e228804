import { I18nJsonLoader } from 'nestjs-i18n';
import { MessageCatalogue, type TranslationTree, type Translations } from './message-catalogue';

/** Reads catalogue directories with nestjs-i18n's JSON loader and merges them, later ones adding keys. */
export async function loadTranslations(directories: readonly string[]): Promise<Translations> {
  const merged: Record<string, TranslationTree> = {};
  for (const directory of directories) {
    const loaded = (await new I18nJsonLoader({ path: directory, watch: false }).load()) as Translations;
    for (const [locale, tree] of Object.entries(loaded)) merged[locale] = mergeTrees(merged[locale] ?? {}, tree);
  }
  return merged;
}

/** For code that runs without Nest (CLIs, unit tests). */
export async function loadMessageCatalogue(directories: readonly string[]): Promise<MessageCatalogue> {
  return MessageCatalogue.fromTranslations(await loadTranslations(directories));
}

function mergeTrees(into: TranslationTree, from: TranslationTree): TranslationTree {
  const result: Record<string, string | TranslationTree> = { ...into };
  for (const [key, value] of Object.entries(from)) {
    const existing = result[key];
    result[key] = typeof value === 'object' && typeof existing === 'object' ? mergeTrees(existing, value) : value;
  }
  return result;
}
