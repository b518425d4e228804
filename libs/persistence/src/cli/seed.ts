// `npm run db:seed`: the demo tenant (see README "Demo data").
import { loadConfigOrExit, parseCommandLine } from '@activity/config';
import { DemoSeedConfig } from './demo-seed.config';
import { DEMO_MINECRAFT_SOURCE_ID, seedDemo } from './demo-seed';

async function main(): Promise<void> {
  parseCommandLine({ usage: 'npm run db:seed', summary: 'Seeds the demo tenant (idempotent).', options: {} });
  const config = loadConfigOrExit(DemoSeedConfig);
  await seedDemo(config);
  process.stdout.write(
    `seeded tenant "${config.DEMO_TENANT}": webhook source minecraft/${DEMO_MINECRAFT_SOURCE_ID}, ` +
      `user "${config.DEMO_USER}" linked to Minecraft player ${config.DEMO_MINECRAFT_PLAYER_UUID}, Steam account ${config.DEMO_STEAM_ID} and TruckersMP account ${config.DEMO_TRUCKERSMP_ID}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
