import { DEFAULT_GROUPING_RULE, GroupingRules, assertGroupingRule, groupKeyOf, typeOfGroupKey } from './feed-grouping';

const achievement = (overrides: { at?: string; actor?: string; game?: string; achievement?: string } = {}) => ({
  type: 'steam.achievement.unlocked',
  actor: { type: 'Person', id: overrides.actor ?? 'steam:user:1', name: 'alice' },
  object: { type: 'Achievement', id: overrides.achievement ?? 'steam:achievement:440:TF_PLAY_GAME_EVERYCLASS' },
  target: { type: 'Game', id: overrides.game ?? 'steam:app:440', name: 'Team Fortress 2' },
  payload: { appId: 440 },
  occurredAt: new Date(overrides.at ?? '2026-11-27T10:00:00Z'),
});

describe('feed grouping', () => {
  it('groups by actor and target within a UTC day by default: other achievements join, another game or day does not', () => {
    const key = groupKeyOf(achievement(), DEFAULT_GROUPING_RULE);
    expect(groupKeyOf(achievement({ achievement: 'other', at: '2026-11-27T23:59:59Z' }), DEFAULT_GROUPING_RULE)).toBe(key);
    expect(groupKeyOf(achievement({ at: '2026-11-28T00:00:00Z' }), DEFAULT_GROUPING_RULE)).not.toBe(key);
    expect(groupKeyOf(achievement({ game: 'steam:app:570' }), DEFAULT_GROUPING_RULE)).not.toBe(key);
    expect(groupKeyOf(achievement({ actor: 'steam:user:2' }), DEFAULT_GROUPING_RULE)).not.toBe(key);
    expect(key).toMatch(/^steam\.achievement\.unlocked~20784~[0-9a-f]{16}$/);
    expect(typeOfGroupKey(key)).toBe('steam.achievement.unlocked');
  });

  it('a rule by object and an hour window splits what the default keeps together', () => {
    const rule = assertGroupingRule({ fields: ['object'], windowSeconds: 3_600 });
    expect(groupKeyOf(achievement({ at: '2026-11-27T10:05:00Z' }), rule)).toBe(groupKeyOf(achievement({ at: '2026-11-27T10:55:00Z', actor: 'x' }), rule));
    expect(groupKeyOf(achievement({ at: '2026-11-27T11:05:00Z' }), rule)).not.toBe(groupKeyOf(achievement({ at: '2026-11-27T10:55:00Z' }), rule));
  });

  it('groups by a payload field', () => {
    const rule = assertGroupingRule({ fields: ['payload.appId'], windowSeconds: 86_400 });
    expect(groupKeyOf(achievement({ actor: 'a' }), rule)).toBe(groupKeyOf(achievement({ actor: 'b', game: 'g' }), rule));
  });

  it('tenant overrides win over connector defaults, which win over the default', () => {
    const hourly = { fields: ['actor'] as const, windowSeconds: 3_600 };
    const rules = new GroupingRules(new Map([['minecraft.player.joined', hourly]]));
    expect(rules.ruleFor('steam.game.played')).toBe(DEFAULT_GROUPING_RULE);
    expect(rules.ruleFor('minecraft.player.joined')).toBe(hourly);
    const tenant = { fields: ['target'] as const, windowSeconds: 600 };
    expect(rules.withOverrides(new Map([['minecraft.player.joined', tenant]])).ruleFor('minecraft.player.joined')).toBe(tenant);
  });

  it('refuses rules with unknown fields, duplicates, or windows outside a minute to 30 days', () => {
    for (const bad of [
      { fields: ['actor', 'actor'], windowSeconds: 3600 },
      { fields: ['name'], windowSeconds: 3600 },
      { fields: ['payload.a b'], windowSeconds: 3600 },
      { fields: ['actor'], windowSeconds: 59 },
      { fields: ['actor'], windowSeconds: 2_592_001 },
      { fields: 'actor', windowSeconds: 3600 },
    ]) {
      expect(() => assertGroupingRule(bad)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    }
  });
});
