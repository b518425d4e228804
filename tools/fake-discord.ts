// The fake Discord for the local demo stack (npm start starts it unless DISCORD_CLIENT_ID is set):
// OAuth2 consent and tokens, the REST API, a Gateway for the bot, and control endpoints to play a
// presence (POST /_fake/presence) or drop the Gateway connections (POST /_fake/drop). alice's
// Discord account is seeded as linked; bob can link his through the OAuth2 flow (he consents first).
// FAKE_DISCORD_PORT (default 3093).
import { parseCommandLine } from '@activity/config';
import { FakeDiscordServer } from '@activity/testing';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'node dist/tools/fake-discord.js', summary: 'The fake Discord of the demo stack (FAKE_DISCORD_PORT, default 3093).', options: {} });
  const port = Number(process.env['FAKE_DISCORD_PORT'] ?? 3093);
  const fake = await FakeDiscordServer.start(port);
  // bob consents at the fake authorize page (the first user); his Discord shows a verified Steam connection.
  fake.addUser({
    id: '90000000000000002',
    username: 'bob',
    global_name: 'Bob',
    connections: [{ type: 'steam', id: '76561197960435532', name: 'Robin', visibility: 1, friend_sync: false, show_activity: true, verified: true, two_way_link: false }],
  });
  fake.addUser({ id: process.env['DEMO_DISCORD_USER_ID'] ?? '80351110224678912', username: 'alice', global_name: 'Alice' });
  process.stdout.write(
    `${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fake-discord', msg: `fake Discord on ${fake.url} (Gateway ${fake.gatewayUrl})` })}\n`,
  );
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
