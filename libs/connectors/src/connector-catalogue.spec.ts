import { DEFAULT_GROUPING_RULE, EventCatalogue } from '@activity/domain';
import { loadMessageCatalogue, PLATFORM_MESSAGES, type MessageCatalogue } from '@activity/i18n';
import { BUILT_IN_CONNECTORS } from './built-in-connectors';

const catalogue = new EventCatalogue(BUILT_IN_CONNECTORS.flatMap((connector) => connector.eventTypes));
let texts: MessageCatalogue;
beforeAll(async () => {
  texts = await loadMessageCatalogue([PLATFORM_MESSAGES, ...BUILT_IN_CONNECTORS.flatMap((connector) => (connector.messages ? [connector.messages] : []))]);
});
const summarizeEvent = (event: Parameters<EventCatalogue['summarize']>[0], locale: 'en' | 'ru') => catalogue.summarize(event, locale, texts);

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
    expect(summarizeEvent(event, 'ru')).toBe('alice_mc: достижение *Diamonds!* на сервере Survival');
  });

  it("declines counts from the payload by each language's plural rules", () => {
    const played = (minutes: number, locale: 'en' | 'ru') =>
      summarizeEvent({ ...event, type: 'steam.game.played', object: { type: 'Game', id: 'g', name: 'Portal 2' }, payload: { appid: 620, minutes, playtimeForever: 900 } }, locale);
    expect([1, 2, 5, 21].map((minutes) => played(minutes, 'ru'))).toEqual([
      'alice_mc: 1 минута в Portal 2',
      'alice_mc: 2 минуты в Portal 2',
      'alice_mc: 5 минут в Portal 2',
      'alice_mc: 21 минута в Portal 2',
    ]);
    expect([1, 2].map((minutes) => played(minutes, 'en'))).toEqual(['alice_mc played Portal 2 for 1 minute', 'alice_mc played Portal 2 for 2 minutes']);
  });

  it('falls back to actor and type for unknown types', () => {
    expect(summarizeEvent({ ...event, type: 'custom.thing' }, 'en')).toBe('alice_mc: custom.thing');
  });
});

describe('the built-in event catalogue', () => {
  it('holds every built-in type once, each with a payload schema and a summary in each language', () => {
    expect(catalogue.types()).toEqual([
      'discord.app.authorized',
      'discord.game.ended',
      'discord.game.started',
      'minecraft.player.advancement',
      'minecraft.player.death',
      'minecraft.player.joined',
      'minecraft.player.quit',
      'steam.achievement.unlocked',
      'steam.game.added',
      'steam.game.played',
      'steam.profile.updated',
      'truckersmp.achievement.earned',
      'truckersmp.event.attending',
      'truckersmp.player.banned',
      'truckersmp.player.unbanned',
      'truckersmp.vtc.joined',
      'truckersmp.vtc.left',
      'twitch.channel.updated',
      'twitch.clip.created',
      'twitch.stream.ended',
      'twitch.stream.started',
      'youtube.stream.ended',
      'youtube.stream.scheduled',
      'youtube.stream.started',
      'youtube.video.published',
    ]);
    for (const descriptor of catalogue.list()) {
      expect(descriptor.payloadSchema).toMatchObject({ type: 'object' });
      expect(texts.format('en', `events.${descriptor.type}`, {})).toBeDefined();
      expect(texts.format('en', `events.${descriptor.type}`, {})).not.toEqual(texts.format('ru', `events.${descriptor.type}`, {}));
    }
  });

  it('knows platform.* types without declaring them, and nothing else', () => {
    expect(catalogue.isKnown('platform.tournament.won')).toBe(true);
    expect(catalogue.isKnown('minecraft.player.chat')).toBe(false);
  });
});

describe('grouping defaults of the built-in types', () => {
  it('groups games by the game (their object) and everything else by actor and target per day', () => {
    const rules = catalogue.groupingDefaults();
    for (const type of ['steam.game.played', 'discord.game.started', 'discord.game.ended'])
      expect(rules.ruleFor(type)).toEqual({ fields: ['actor', 'object'], windowSeconds: 86_400 });
    expect(rules.ruleFor('minecraft.player.joined')).toBe(DEFAULT_GROUPING_RULE);
    expect(texts.format('en', 'groups.steam.game.played', { actor: 'Robin', object: 'Portal 2', count: 3 })).toBe('Robin played Portal 2 3 times');
    expect(texts.format('ru', 'groups.discord.game.started', { actor: 'Алиса', object: 'Rocket League', count: 2 })).toBe('Алиса запускает Rocket League 2 раза');
  });
});
