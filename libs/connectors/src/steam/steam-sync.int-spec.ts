import pino from 'pino';
import { CircuitBreaker, LocalTokenBucket } from '@activity/resilience';
import { FakeSteamServer } from '@activity/testing';
import { SteamUnavailableError } from './steam-errors';
import { RetryableError, SteamWebApiClient, type SteamWebApiOptions } from './steam-web-api.client';
import { SteamSync } from './steam-sync';
import { SteamOpenId } from './steam-openid';
import { SteamLinking } from './steam.connector';

const STEAM_ID = '76561197960435530';

describe('SteamSync against the fake Steam Web API (real HTTP)', () => {
  let fake: FakeSteamServer;
  const link = { id: 'link-1', tenantId: 't', userId: 'alice', externalId: STEAM_ID };

  function connector(
    options: Partial<SteamWebApiOptions> = {},
    breaker = new CircuitBreaker({ failureThreshold: 5, openMs: 60_000, dependency: 'Steam', isFailure: (e) => e instanceof RetryableError }),
  ) {
    const client = new SteamWebApiClient(
      { baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 500, maxAttempts: 4, backoffBaseMs: 20, backoffMaxMs: 1_500, ...options },
      new LocalTokenBucket(1000, 1000),
      breaker,
      pino({ level: 'silent' }),
    );
    return { steam: new SteamSync(client, { backfillDays: 30 }), linking: new SteamLinking(client, new SteamOpenId(`${fake.url}/openid/login`, 500)), client };
  }

  beforeEach(async () => {
    fake = await FakeSteamServer.start();
    fake.addFixturePlayer(STEAM_ID);
  });
  afterEach(() => fake.stop());

  it('first sync: recent play and achievements within the backfill window; then an unchanged re-sync produces nothing', async () => {
    const { steam } = connector();
    const first = await steam.run(link, {});
    expect(first.outcome).toBe('ok');
    expect(first.events.map((e) => e.type).sort()).toEqual(['steam.achievement.unlocked', 'steam.game.played']);
    const achievement = first.events.find((e) => e.type === 'steam.achievement.unlocked')!;
    expect(achievement).toMatchObject({
      sourceEventId: `ach:${STEAM_ID}:440:TF_PLAY_GAME_EVERYCLASS`,
      object: { name: 'Head of the Class' },
      target: { name: 'Team Fortress 2' },
      externalAccountId: STEAM_ID,
    });
    // Unlock time, not sync time.
    expect(achievement.occurredAt.getTime()).toBe(fake.players.get(STEAM_ID)!.achievements[440]!.list[0]!.unlocktime * 1000);
    expect(first.apiCalls).toBe(4);
    const again = await steam.run(link, first.state);
    expect(again.events).toEqual([]);
  });

  it('reports what changed: a new achievement, more playtime, a new game, a new name', async () => {
    const { steam } = connector();
    const first = await steam.run(link, {});
    const player = fake.players.get(STEAM_ID)!;
    player.achievements[440]!.list[1] = { ...player.achievements[440]!.list[1]!, achieved: 1, unlocktime: Math.floor(Date.now() / 1000) };
    player.owned[0]!.playtime_forever += 45;
    player.owned.push({ appid: 730, name: 'Counter-Strike 2', playtime_forever: 0 });
    player.summary.personaname = 'Robin W.';
    const second = await steam.run(link, first.state);
    const byType = Object.fromEntries(second.events.map((e) => [e.type, e]));
    expect(Object.keys(byType).sort()).toEqual(['steam.achievement.unlocked', 'steam.game.added', 'steam.game.played', 'steam.profile.updated']);
    expect(byType['steam.achievement.unlocked']!.object?.name).toBe('Team Doctor');
    expect(byType['steam.game.played']!.payload).toMatchObject({ minutes: 45 });
    expect(byType['steam.game.added']!.object?.name).toBe('Counter-Strike 2');
  });

  it('treats a private profile as a link status, without an error storm', async () => {
    fake.players.get(STEAM_ID)!.summary.communityvisibilitystate = 1;
    const { steam } = connector();
    const result = await steam.run(link, {});
    expect(result).toMatchObject({ outcome: 'private', events: [], apiCalls: 1 });
    expect(fake.requests).toBe(1);
  });

  it('treats private game details the same way', async () => {
    fake.players.get(STEAM_ID)!.gameDetailsPrivate = true;
    expect((await connector().steam.run(link, {})).outcome).toBe('private');
  });

  it('remembers games without stats instead of asking again', async () => {
    fake.players.get(STEAM_ID)!.noStats = [440];
    const { steam } = connector();
    const first = await steam.run(link, {});
    expect(first.state['noStats']).toEqual([440]);
    fake.resetCounters();
    await steam.run(link, first.state);
    expect(fake.byMethod.get('ISteamUserStats/GetPlayerAchievements') ?? 0).toBe(0);
  });

  it('rides out a 429 storm honouring Retry-After, losing nothing', async () => {
    fake.fail429 = 3;
    fake.retryAfterSeconds = 1;
    const started = Date.now();
    const result = await connector().steam.run(link, {});
    expect(result.events).toHaveLength(2);
    // Three refusals, each asking for a second: the client waited for them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(fake.requests).toBe(3 + 4);
  });

  it('retries 500s and timeouts, then gives up with a clear error', async () => {
    fake.fail500 = 2;
    fake.slow = 1;
    fake.slowMs = 1_000;
    expect((await connector().steam.run(link, {})).events).toHaveLength(2);
    fake.fail500 = 100;
    await expect(connector().steam.run(link, {})).rejects.toBeInstanceOf(SteamUnavailableError);
  });

  it('opens the circuit after repeated failures, fails fast, and closes after a good trial', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 300, dependency: 'Steam', isFailure: (e) => e instanceof RetryableError });
    const { steam } = connector({ maxAttempts: 1 }, breaker);
    fake.fail500 = 3;
    for (let i = 0; i < 3; i += 1) await expect(steam.run(link, {})).rejects.toBeInstanceOf(SteamUnavailableError);
    expect(breaker.state).toBe('open');
    const before = fake.requests;
    await expect(steam.run(link, {})).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(fake.requests).toBe(before);
    // The open period is the condition: poll the clock rather than sleep a fixed time.
    const openedAt = Date.now();
    while (Date.now() - openedAt < 300) await new Promise((resolve) => setImmediate(resolve));
    expect((await steam.run(link, {})).outcome).toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('links by SteamID64, profile URL or vanity name, and refuses what it cannot resolve', async () => {
    const { linking } = connector();
    await expect(linking.resolve({ account: STEAM_ID })).resolves.toEqual({ externalId: STEAM_ID, displayName: 'Robin' });
    await expect(linking.resolve({ account: `https://steamcommunity.com/profiles/${STEAM_ID}/` })).resolves.toMatchObject({ externalId: STEAM_ID });
    await expect(linking.resolve({ account: 'https://steamcommunity.com/id/robinwalker/' })).resolves.toMatchObject({ externalId: STEAM_ID });
    await expect(linking.resolve({ account: 'robinwalker' })).resolves.toMatchObject({ externalId: STEAM_ID });
    await expect(linking.resolve({ account: 'nobody-here' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(linking.resolve({ account: 'https://example.com/id/x' })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('does not wait for a rate-limit token while the circuit is open', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000, dependency: 'Steam', isFailure: (e) => e instanceof RetryableError });
    const { steam } = connector({ maxAttempts: 1 }, breaker);
    fake.fail500 = 1;
    await expect(steam.run(link, {})).rejects.toBeInstanceOf(SteamUnavailableError);
    expect(breaker.state).toBe('open');
    // A gate that would never hand out a token: an open circuit must answer without asking it.
    const starvedGate = { acquire: jest.fn(() => new Promise<void>(() => undefined)) };
    const starved = new SteamWebApiClient(
      { baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 500, maxAttempts: 1, backoffBaseMs: 1, backoffMaxMs: 5 },
      starvedGate,
      breaker,
      pino({ level: 'silent' }),
    );
    await expect(starved.getPlayerSummaries([STEAM_ID])).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(starvedGate.acquire).not.toHaveBeenCalled();
  });

  it('stops at a rejected API key instead of retrying', async () => {
    const { steam } = connector({ apiKey: 'WRONG' });
    await expect(steam.run(link, {})).rejects.toThrow('Steam rejected the API key');
    expect(fake.requests).toBe(1);
  });
});
