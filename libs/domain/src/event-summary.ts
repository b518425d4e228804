import type { ActivityEvent } from './activity-event';
import { fillTemplate } from './error-messages';
import type { Locale } from './locale';

// One sentence per known type and locale. `{actor}`, `{object}`, `{target}` are display names.
const TEMPLATES: Record<string, Record<Locale, string>> = {
  'minecraft.player.joined': { en: '{actor} joined {target}', ru: '{actor} зашёл на сервер {target}' },
  'minecraft.player.quit': { en: '{actor} left {target}', ru: '{actor} покинул сервер {target}' },
  'minecraft.player.advancement': {
    en: '{actor} made the advancement *{object}* on {target}',
    ru: '{actor} получил достижение *{object}* на сервере {target}',
  },
  'minecraft.player.death': { en: '{actor} died on {target}: {object}', ru: '{actor} погиб на сервере {target}: {object}' },
  'steam.achievement.unlocked': { en: '{actor} unlocked *{object}* in {target}', ru: '{actor} получил достижение *{object}* в {target}' },
  'steam.game.added': { en: '{actor} added {object} to their library', ru: '{actor} добавил {object} в библиотеку' },
  'steam.game.played': { en: '{actor} played {object}', ru: '{actor} играл в {object}' },
  'steam.profile.updated': { en: '{actor} updated their Steam profile', ru: '{actor} обновил профиль Steam' },
};

const FALLBACK: Record<Locale, string> = { en: '{actor}: {type}', ru: '{actor}: {type}' };

/** A short human sentence for the feed, in the reader's language. */
export function summarizeEvent(event: Pick<ActivityEvent, 'type' | 'actor' | 'object' | 'target' | 'payload'>, locale: Locale): string {
  const template = TEMPLATES[event.type]?.[locale] ?? FALLBACK[locale];
  const message = typeof event.payload['message'] === 'string' ? event.payload['message'] : '';
  return fillTemplate(template, {
    actor: event.actor.name ?? event.actor.id,
    object: event.object?.name ?? event.object?.id ?? '',
    target: event.target?.name ?? event.target?.id ?? '',
    type: event.type,
    message,
  });
}
