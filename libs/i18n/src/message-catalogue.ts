import MessageFormat, { type MessageFunction } from '@messageformat/core';
import { parse, type Token } from '@messageformat/parser';

/** Translations as nestjs-i18n's loaders produce them: locale → namespace → nested keys → ICU message. */
export type Translations = Readonly<Record<string, TranslationTree>>;
export interface TranslationTree {
  readonly [key: string]: string | TranslationTree;
}
export type MessageArgs = Readonly<Record<string, unknown>>;

interface Compiled {
  readonly format: MessageFunction<'string'>;
  readonly placeholders: readonly string[];
}

/**
 * Every text a person reads, as ICU MessageFormat (plural and select rules per locale, so
 * Russian counts decline: 1 достижение, 2 достижения, 5 достижений). Messages are compiled once
 * per locale and key and kept: a feed page formats fifty summaries, and compiling an ICU
 * message costs far more than running it (nestjs-i18n's request context recompiles on every call).
 */
export class MessageCatalogue {
  private readonly compiled = new Map<string, Compiled | null>();
  private readonly formats = new Map<string, MessageFormat>();

  constructor(
    private readonly lookup: (locale: string, key: string) => string | undefined,
    readonly locales: readonly string[],
  ) {}

  static fromTranslations(translations: Translations): MessageCatalogue {
    return new MessageCatalogue((locale, key) => {
      const value = key.split('.').reduce<string | TranslationTree | undefined>((node, part) => (node && typeof node === 'object' ? node[part] : undefined), translations[locale]);
      return typeof value === 'string' ? value : undefined;
    }, Object.keys(translations));
  }

  has(locale: string, key: string): boolean {
    return this.lookup(locale, key) !== undefined;
  }

  /** The message in that locale with its arguments filled; undefined when the key is missing. */
  format(locale: string, key: string, args: MessageArgs = {}): string | undefined {
    const cacheKey = `${locale}\u0000${key}`;
    let compiled = this.compiled.get(cacheKey);
    if (compiled === undefined) {
      const message = this.lookup(locale, key);
      compiled = message === undefined ? null : this.compile(locale, message);
      this.compiled.set(cacheKey, compiled);
    }
    if (!compiled) return undefined;
    // A missing argument prints as empty rather than as "undefined" in front of a user.
    const filled: Record<string, unknown> = { ...args };
    for (const name of compiled.placeholders) if (filled[name] === undefined || filled[name] === null) filled[name] = '';
    return compiled.format(filled);
  }

  private compile(locale: string, message: string): Compiled {
    let formatter = this.formats.get(locale);
    if (!formatter) {
      formatter = new MessageFormat(locale);
      this.formats.set(locale, formatter);
    }
    return { format: formatter.compile(message), placeholders: placeholdersOf(message) };
  }
}

/** The argument names an ICU message uses, including those inside plural/select cases. */
export function placeholdersOf(message: string): string[] {
  const names = new Set<string>();
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'argument' || token.type === 'function') names.add(token.arg);
      if (token.type === 'plural' || token.type === 'select' || token.type === 'selectordinal') {
        names.add(token.arg);
        for (const entry of token.cases) visit(entry.tokens);
      }
    }
  };
  visit(parse(message));
  return [...names].sort();
}
