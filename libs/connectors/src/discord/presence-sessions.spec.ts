import { PresenceSessions } from './presence-sessions';

const USER = '80351110224678912';
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const rocket = (start = T0 - 60_000) => [{ name: 'Rocket League', type: 0, application_id: '379286085710381999', created_at: start + 5, timestamps: { start } }];
const listening = [{ name: 'Spotify', type: 2 }];

describe('PresenceSessions', () => {
  it('announces a game once it has lasted the debounce, with its start time, and its end once it stays gone, with the session length', () => {
    const sessions = new PresenceSessions(30_000);
    sessions.observe(USER, rocket(), T0, '197038439483310086');
    expect(sessions.due(T0 + 29_999)).toEqual([]);
    const [started] = sessions.due(T0 + 30_000);
    expect(started).toMatchObject({
      type: 'discord.game.started',
      externalAccountId: USER,
      sourceEventId: `discord:game:${USER}:app:379286085710381999:${T0 - 60_000}:started`,
      object: { type: 'Game', id: 'discord:application:379286085710381999', name: 'Rocket League' },
      payload: { game: 'Rocket League', applicationId: '379286085710381999', guildId: '197038439483310086' },
    });
    expect(started!.occurredAt.getTime()).toBe(T0 - 60_000);
    expect(sessions.due(T0 + 40_000)).toEqual([]);

    sessions.observe(USER, listening, T0 + 3_600_000);
    expect(sessions.due(T0 + 3_600_000 + 29_999)).toEqual([]);
    const [ended] = sessions.due(T0 + 3_630_000);
    expect(ended).toMatchObject({ type: 'discord.game.ended', payload: { game: 'Rocket League', durationSeconds: 3660, durationMinutes: 61 } });
    expect(ended!.occurredAt.getTime()).toBe(T0 + 3_600_000);
    expect(sessions.tracked).toBe(0);
  });

  it('ignores flapping: a start that does not last, and a gap shorter than the debounce inside a session', () => {
    const sessions = new PresenceSessions(30_000);
    sessions.observe(USER, rocket(), T0);
    sessions.observe(USER, [], T0 + 10_000);
    expect(sessions.due(T0 + 60_000)).toEqual([]);

    sessions.observe(USER, rocket(T0 + 100_000), T0 + 100_000);
    expect(sessions.due(T0 + 130_000).map((event) => event.type)).toEqual(['discord.game.started']);
    sessions.observe(USER, [], T0 + 200_000);
    sessions.observe(USER, rocket(T0 + 100_000), T0 + 210_000);
    sessions.observe(USER, [], T0 + 220_000);
    sessions.observe(USER, rocket(T0 + 100_000), T0 + 225_000);
    expect(sessions.due(T0 + 400_000)).toEqual([]);
  });

  it('ends one game and starts the next when the player switches; a non-game activity or an offline user plays nothing', () => {
    const sessions = new PresenceSessions(1_000);
    sessions.observe(USER, rocket(), T0);
    sessions.due(T0 + 1_000);
    sessions.observe(USER, [{ name: 'Euro Truck Simulator 2', type: 0 }], T0 + 5_000);
    expect(sessions.due(T0 + 6_000).map((event) => [event.type, event.payload['game']])).toEqual([
      ['discord.game.ended', 'Rocket League'],
      ['discord.game.started', 'Euro Truck Simulator 2'],
    ]);
    const other = new PresenceSessions(1_000);
    other.observe('42', listening, T0);
    other.observe('43', undefined, T0);
    expect(other.due(T0 + 10_000)).toEqual([]);
  });

  it('gives the same ids for the same session seen twice (two guilds, two shards), and survives a hand-over through its snapshot', () => {
    const a = new PresenceSessions(1_000);
    const b = new PresenceSessions(1_000);
    a.observe(USER, rocket(), T0, 'guild-a');
    b.observe(USER, rocket(), T0 + 300, 'guild-b');
    expect(a.due(T0 + 2_000)[0]!.sourceEventId).toBe(b.due(T0 + 2_000)[0]!.sourceEventId);

    const next = new PresenceSessions(1_000);
    next.restore(JSON.parse(JSON.stringify(a.snapshot())));
    next.observe(USER, rocket(), T0 + 5_000);
    expect(next.due(T0 + 10_000)).toEqual([]);
    next.observe(USER, [], T0 + 20_000);
    expect(next.due(T0 + 21_000)).toMatchObject([{ type: 'discord.game.ended', payload: { durationSeconds: 80 } }]);
  });
});
