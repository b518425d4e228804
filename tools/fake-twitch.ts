// The fake Twitch for the local demo stack (npm start starts it unless TWITCH_CLIENT_ID is set):
// OAuth2, Helix and an EventSub sender that verifies our callback when subscribed, and sends a
// signed notification on POST /_fake/notify {"type":"stream.online","broadcasterId":"141981764"}.
// alice's Twitch channel (twitchdev) is seeded as linked. FAKE_TWITCH_PORT (default 3094).
import { parseCommandLine } from '@activity/config';
import { FakeTwitchServer } from '@activity/testing';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'node dist/tools/fake-twitch.js', summary: 'The fake Twitch of the demo stack (FAKE_TWITCH_PORT, default 3094).', options: {} });
  const port = Number(process.env['FAKE_TWITCH_PORT'] ?? 3094);
  const fake = await FakeTwitchServer.start(port);
  const broadcaster = process.env['DEMO_TWITCH_ID'] ?? '141981764';
  fake.addUser({ id: broadcaster, login: 'twitchdev', display_name: 'TwitchDev' });
  fake.addClip(broadcaster, { id: 'AwkwardHelplessSalamanderSwiftRage', title: 'The best clip of the week', created_at: new Date(Date.now() - 2 * 3_600_000).toISOString() });
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fake-twitch', msg: `fake Twitch on ${fake.url}` })}\n`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
