// The fake YouTube for the local demo stack (npm start starts it unless YOUTUBE_API_KEYS is set):
// a WebSub hub that verifies our callback and signs notifications, and the Data API with quota.
// alice's channel is seeded as linked; once its lease is granted, a first upload is published.
// POST /_fake/upload, /_fake/live, /_fake/end, /_fake/rename, /_fake/delete act on it.
// FAKE_YOUTUBE_PORT (default 3095).
import { parseCommandLine } from '@activity/config';
import { FakeYouTubeServer } from '@activity/testing';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'node dist/tools/fake-youtube.js', summary: 'The fake YouTube of the demo stack (FAKE_YOUTUBE_PORT, default 3095).', options: {} });
  const port = Number(process.env['FAKE_YOUTUBE_PORT'] ?? 3095);
  const fake = await FakeYouTubeServer.start(port);
  const channelId = process.env['DEMO_YOUTUBE_CHANNEL_ID'] ?? 'UC_x5XG1OV2P6uZZ5FSM9Ttw';
  fake.addChannel({ id: channelId, title: 'Google for Developers', handle: '@googledevelopers' });
  fake.defaultChannelId = channelId;
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fake-youtube', msg })}\n`);
  log(`fake YouTube on ${fake.url}`);
  // The demo feed shows a YouTube upload as soon as the link's lease is granted.
  const welcome = setInterval(() => {
    if (!fake.leaseOf(channelId)) return;
    clearInterval(welcome);
    const video = fake.addVideo({ id: 'demoUpload1', channelId, title: 'What’s new in the Activity Service', publishedAt: new Date().toISOString() });
    void fake.publish(video.id).then((sent) => log(`published ${video.id} to ${sent.length} subscriber(s)`));
  }, 500);
  const stop = () => {
    clearInterval(welcome);
    void fake.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
