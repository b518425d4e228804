// The fake Steam Web API for the local demo stack (npm start starts it when STEAM_API_KEY is not
// set): Robin from the fixtures, with an achievement unlocked two days ago, so a newcomer sees
// Steam events without a real key. FAKE_STEAM_PORT (default 3090).
import { parseCommandLine } from '@activity/config';
import { FakeSteamServer } from '@activity/testing';

const DEMO_KEY = '0123456789ABCDEF0123456789ABCDEF';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'node dist/tools/fake-steam.js', summary: 'The fake Steam Web API of the demo stack (FAKE_STEAM_PORT, default 3090).', options: {} });
  const port = Number(process.env['FAKE_STEAM_PORT'] ?? 3090);
  const fake = await FakeSteamServer.start(DEMO_KEY, port);
  fake.addFixturePlayer(process.env['DEMO_STEAM_ID'] ?? '76561197960435530');
  // "Sign in through Steam" on the fake signs in as this account (add ?steamid=... to the sign-in URL for another).
  fake.openIdSignInAs = fake.addFixturePlayer('76561197960435531').summary.steamid;
  // The Steam account bob's demo Discord shows as a verified connection (linkable through Discord).
  fake.addFixturePlayer('76561197960435532');
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fake-steam', msg: `fake Steam Web API on ${fake.url}` })}\n`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
