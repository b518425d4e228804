// The fake TruckersMP API for the local demo stack (npm start starts it unless
// TRUCKERSMP_API_BASE_URL is set): alice's TruckersMP account, bound to her demo Steam account,
// with a recent achievement and a convoy her VTC attends, so the demo shows TruckersMP events
// without network access. FAKE_TRUCKERSMP_PORT (default 3091).
import { parseCommandLine } from '@activity/config';
import { FakeTruckersMpServer } from '@activity/testing';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'node dist/tools/fake-truckersmp.js', summary: 'The fake TruckersMP API of the demo stack (FAKE_TRUCKERSMP_PORT, default 3091).', options: {} });
  const port = Number(process.env['FAKE_TRUCKERSMP_PORT'] ?? 3091);
  const fake = await FakeTruckersMpServer.start(port);
  fake.addFixturePlayer(Number(process.env['DEMO_TRUCKERSMP_ID'] ?? 1287455), process.env['DEMO_STEAM_ID'] ?? '76561197960435530');
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fake-truckersmp', msg: `fake TruckersMP API on ${fake.apiBaseUrl}` })}\n`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
