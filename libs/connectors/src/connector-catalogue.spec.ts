import { EventCatalogue } from '@activity/domain';
import { BUILT_IN_CONNECTORS } from './built-in-connectors';

const catalogue = new EventCatalogue(BUILT_IN_CONNECTORS.flatMap((connector) => connector.eventTypes));
const summarizeEvent = (event: Parameters<EventCatalogue['summarize']>[0], locale: 'en' | 'ru') => catalogue.summarize(event, locale);

describe('summarizeEvent', () => {
  const event = {
    type: 'minecraft.player.advancement',
    actor: { type: 'Person', id: 'p', name: 'alice_mc' },
    object: { type: 'Object', id: 'a', name: 'Diamonds!' },
    target: { type: 'Service', id: 's', name: 'Survival' },
    payload: {},
  };

  it('writes the sentence in the reader language', () => {
    expect(summarizeEvent(event, 'en')).toBe('alice_mc made the advancement *Diamonds!* on Survival');
    expect(summarizeEvent(event, 'ru')).toBe('alice_mc получил достижение *Diamonds!* на сервере Survival');
  });

  it('falls back to actor and type for unknown types', () => {
    expect(summarizeEvent({ ...event, type: 'custom.thing' }, 'en')).toBe('alice_mc: custom.thing');
  });
});

describe('the built-in event catalogue', () => {
  it('holds every built-in type once, each with a payload schema and both summaries', () => {
    expect(catalogue.types()).toEqual([
      'minecraft.player.advancement',
      'minecraft.player.death',
      'minecraft.player.joined',
      'minecraft.player.quit',
      'steam.achievement.unlocked',
      'steam.game.added',
      'steam.game.played',
      'steam.profile.updated',
    ]);
    for (const descriptor of catalogue.list()) {
      expect(descriptor.payloadSchema).toMatchObject({ type: 'object' });
      expect(descriptor.summary.en).not.toEqual(descriptor.summary.ru);
    }
  });

  it('knows platform.* types without declaring them, and nothing else', () => {
    expect(catalogue.isKnown('platform.tournament.won')).toBe(true);
    expect(catalogue.isKnown('minecraft.player.chat')).toBe(false);
  });
});
