import { parseSteamAccount } from './steam-account-input';

describe('parseSteamAccount', () => {
  it('reads SteamID64s, profile URLs and custom URL names', () => {
    expect(parseSteamAccount('76561197960435530')).toEqual({ kind: 'steamid', steamId: '76561197960435530' });
    expect(parseSteamAccount('https://steamcommunity.com/profiles/76561197960435530/')).toEqual({ kind: 'steamid', steamId: '76561197960435530' });
    expect(parseSteamAccount('https://steamcommunity.com/id/robin%5Fwalker/')).toEqual({ kind: 'vanity', vanity: 'robin_walker' });
    expect(parseSteamAccount('robinwalker')).toEqual({ kind: 'vanity', vanity: 'robinwalker' });
  });

  it.each([
    'https://steamcommunity.com/id/%',
    'https://steamcommunity.com/id/%E0%A4%A',
    'https://steamcommunity.com/id/a%2Fb',
    'https://steamcommunity.com/profiles/123',
    'no spaces allowed',
  ])('refuses %s with a field violation, not a crash', (input) => {
    expect(() => parseSteamAccount(input)).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ field: 'account' })] }));
  });
});
