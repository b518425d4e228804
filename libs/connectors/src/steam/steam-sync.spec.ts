import { SteamNoStatsError, SteamPrivateProfileError } from './steam-errors';
import { SteamSync, type SteamSyncState } from './steam-sync';
import type { SteamWebApiClient } from './steam-web-api.client';
import type { SteamAchievement, SteamOwnedGame, SteamPlayerSummary, SteamRecentGame } from './steam-web-api.types';

const STEAM_ID = '76561197960435530';
const DAY = 24 * 3600;

/** What one Steam account looks like right now, answered the way SteamWebApiClient answers. */
class SteamAccount {
  player: SteamPlayerSummary = { steamid: STEAM_ID, communityvisibilitystate: 3, personaname: 'Robin', avatarhash: 'a1' };
  owned: SteamOwnedGame[] | null = [{ appid: 440, name: 'Team Fortress 2', playtime_forever: 100 }];
  recent: SteamRecentGame[] = [{ appid: 440, name: 'Team Fortress 2', playtime_2weeks: 30, playtime_forever: 100 }];
  achievements = new Map<number, SteamAchievement[] | Error>([[440, []]]);
  calls: string[] = [];

  client(): SteamWebApiClient {
    return {
      getPlayerSummaries: async () => (this.calls.push('summaries'), [this.player]),
      getOwnedGames: async () => (this.calls.push('owned'), this.owned),
      getRecentlyPlayedGames: async () => (this.calls.push('recent'), this.recent),
      getPlayerAchievements: async (_id: string, appId: number) => {
        this.calls.push(`achievements:${appId}`);
        const answer = this.achievements.get(appId) ?? [];
        if (answer instanceof Error) throw answer;
        return { gameName: 'Team Fortress 2', achievements: answer };
      },
      getAchievementSchema: async () => (this.calls.push('schema'), new Map([['TF_WIN', { name: 'TF_WIN', displayName: 'First Blood' }]])),
    } as unknown as SteamWebApiClient;
  }
}

const link = { id: 'link-1', tenantId: 't', userId: 'alice', externalId: STEAM_ID };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('SteamSync: what changed since the stored state', () => {
  it('first sync: recent play and achievements inside the backfill window only, and remembers the rest', async () => {
    const account = new SteamAccount();
    account.achievements.set(440, [
      { apiname: 'TF_RECENT', achieved: 1, unlocktime: nowSeconds() - DAY, name: 'Recent' },
      { apiname: 'TF_OLD', achieved: 1, unlocktime: nowSeconds() - 400 * DAY, name: 'Old' },
      { apiname: 'TF_LOCKED', achieved: 0, unlocktime: 0, name: 'Locked' },
    ]);
    const result = await new SteamSync(account.client(), { backfillDays: 30 }).run(link, {});
    expect(result.outcome).toBe('ok');
    expect(result.events.map((event) => [event.type, event.sourceEventId])).toEqual([
      ['steam.game.played', `played:${STEAM_ID}:440:100`],
      ['steam.achievement.unlocked', `ach:${STEAM_ID}:440:TF_RECENT`],
    ]);
    expect(result.events[0]!.payload).toEqual({ appid: 440, minutes: 30, playtimeForever: 100 });
    expect((result.state as SteamSyncState).achievements).toEqual({ '440': ['TF_RECENT', 'TF_OLD'] });
    expect(result.apiCalls).toBe(4);
  });

  it('an unchanged account produces nothing on the next sync', async () => {
    const account = new SteamAccount();
    const sync = new SteamSync(account.client(), { backfillDays: 30 });
    const first = await sync.run(link, {});
    expect((await sync.run(link, first.state)).events).toEqual([]);
  });

  it('reports a new game, more playtime (as the difference), a new achievement and a new name', async () => {
    const account = new SteamAccount();
    const sync = new SteamSync(account.client(), { backfillDays: 30 });
    const first = await sync.run(link, {});
    account.player = { ...account.player, personaname: 'Robin W.' };
    account.owned = [...account.owned!, { appid: 620, name: 'Portal 2', playtime_forever: 0 }];
    account.owned[0] = { ...account.owned[0]!, playtime_forever: 145 };
    account.recent = [{ appid: 440, name: 'Team Fortress 2', playtime_2weeks: 75, playtime_forever: 145 }];
    account.achievements.set(440, [{ apiname: 'TF_WIN', achieved: 1, unlocktime: nowSeconds() - 400 * DAY }]);
    const second = await sync.run(link, first.state);
    const byType = Object.fromEntries(second.events.map((event) => [event.type, event]));
    expect(Object.keys(byType).sort()).toEqual(['steam.achievement.unlocked', 'steam.game.added', 'steam.game.played', 'steam.profile.updated']);
    expect(byType['steam.game.played']!.payload).toMatchObject({ minutes: 45, playtimeForever: 145 });
    expect(byType['steam.game.added']!.object).toMatchObject({ id: 'steam:app:620', name: 'Portal 2' });
    expect(byType['steam.profile.updated']!.payload).toMatchObject({ previous: { personaname: 'Robin' }, current: { personaname: 'Robin W.' } });
    // After the first sync every new unlock counts, however old its time; its name comes from the schema.
    expect(byType['steam.achievement.unlocked']!.object).toMatchObject({ name: 'First Blood' });
    expect(account.calls).toContain('schema');
  });

  it('a private profile or private game details is a link state, not an error, and keeps the stored state', async () => {
    const account = new SteamAccount();
    account.player = { ...account.player, communityvisibilitystate: 1 };
    const stored = { initialized: true, playtime: { '440': 1 } };
    expect(await new SteamSync(account.client(), { backfillDays: 30 }).run(link, stored)).toEqual({ events: [], state: stored, outcome: 'private', apiCalls: 1 });
    const details = new SteamAccount();
    details.owned = null;
    expect((await new SteamSync(details.client(), { backfillDays: 30 }).run(link, stored)).outcome).toBe('private');
    const achievements = new SteamAccount();
    achievements.achievements.set(440, new SteamPrivateProfileError(STEAM_ID));
    expect((await new SteamSync(achievements.client(), { backfillDays: 30 }).run(link, stored)).outcome).toBe('private');
  });

  it('remembers a game without stats and does not ask for its achievements again', async () => {
    const account = new SteamAccount();
    account.achievements.set(440, new SteamNoStatsError(440));
    const sync = new SteamSync(account.client(), { backfillDays: 30 });
    const first = await sync.run(link, {});
    expect((first.state as SteamSyncState).noStats).toEqual([440]);
    account.calls = [];
    await sync.run(link, first.state);
    expect(account.calls).not.toContain('achievements:440');
  });

  it('lets other failures through to the sync run (they are retried and recorded there)', async () => {
    const account = new SteamAccount();
    account.achievements.set(440, new Error('socket hang up'));
    await expect(new SteamSync(account.client(), { backfillDays: 30 }).run(link, {})).rejects.toThrow('socket hang up');
  });
});
