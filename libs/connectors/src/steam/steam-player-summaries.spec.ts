import { SteamPlayerSummaries } from './steam-player-summaries';
import type { SteamPlayerSummary } from './steam-web-api.types';

const player = (steamid: string) => ({ steamid, personaname: `p${steamid}`, communityvisibilitystate: 3 }) as SteamPlayerSummary;

describe('SteamPlayerSummaries', () => {
  it('asks for the profiles of concurrent lookups in one call, and gives each caller its own', async () => {
    const calls: string[][] = [];
    const summaries = new SteamPlayerSummaries(async (ids) => (calls.push([...ids]), ids.filter((id) => id !== 'gone').map(player)));
    const answers = await Promise.all(['1', '2', 'gone', '2'].map((id) => summaries.get(id)));
    expect(calls).toEqual([['1', '2', 'gone']]);
    expect(answers.map((answer) => answer?.steamid)).toEqual(['1', '2', undefined, '2']);
  });

  it('never puts more than 100 SteamIDs in one call', async () => {
    const calls: number[] = [];
    const summaries = new SteamPlayerSummaries(async (ids) => (calls.push(ids.length), ids.map(player)));
    const ids = Array.from({ length: 250 }, (_, i) => String(76561198000000000n + BigInt(i)));
    const answers = await Promise.all(ids.map((id) => summaries.get(id)));
    expect(calls).toEqual([100, 100, 50]);
    expect(answers.map((answer) => answer?.steamid)).toEqual(ids);
  });

  it('fails the lookups of a failed call, and only those', async () => {
    let fail = true;
    const summaries = new SteamPlayerSummaries(async (ids) => {
      if (fail) throw new Error('Steam answered 503');
      return ids.map(player);
    });
    const failed = Promise.allSettled([summaries.get('1'), summaries.get('2')]);
    expect((await failed).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await summaries.get('3'))?.steamid).toBe('3');
  });
});
