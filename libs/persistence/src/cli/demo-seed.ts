import { createDataSource } from '../data-source';
import { SecretCipher } from '../secret-cipher';
import { AccountLinkStore } from '../stores/account-link.store';
import { NotificationStore } from '../stores/notification.store';
import { WebhookSourceStore } from '../stores/webhook-source.store';
import type { DemoSeedConfig } from './demo-seed.config';

export const DEMO_MINECRAFT_SOURCE_ID = 'demo-minecraft';
export const DEMO_DISCORD_SOURCE_ID = 'demo-discord';
export const DEMO_TWITCH_SOURCE_ID = 'demo-twitch';
export const DEMO_YOUTUBE_SOURCE_ID = 'demo-youtube';

/** Seeds the demo tenant: Minecraft, Discord, Twitch and YouTube webhook sources and alice's linked Minecraft player, Steam, TruckersMP, Discord, Twitch and YouTube accounts. Safe to run repeatedly. */
export async function seedDemo(config: DemoSeedConfig): Promise<void> {
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'activity-seed' });
  await dataSource.initialize();
  try {
    const cipher = SecretCipher.fromSettings(config);
    await new WebhookSourceStore(dataSource, cipher).upsert(
      { tenantId: config.DEMO_TENANT, connector: 'minecraft', sourceId: DEMO_MINECRAFT_SOURCE_ID, name: 'Demo Minecraft server' },
      config.DEMO_MINECRAFT_SECRET,
    );
    await new WebhookSourceStore(dataSource, cipher).upsert(
      { tenantId: config.DEMO_TENANT, connector: 'discord', sourceId: DEMO_DISCORD_SOURCE_ID, name: 'Demo Discord application' },
      config.DEMO_DISCORD_PUBLIC_KEY,
    );
    await new WebhookSourceStore(dataSource, cipher).upsert(
      { tenantId: config.DEMO_TENANT, connector: 'twitch', sourceId: DEMO_TWITCH_SOURCE_ID, name: 'Demo Twitch EventSub' },
      config.DEMO_TWITCH_SECRET,
    );
    // Platform usernames: "@alice" and "@bob" in a comment notify them (README, "Mentions").
    for (const user of [config.DEMO_USER, 'bob']) await new NotificationStore(dataSource).setHandle(config.DEMO_TENANT, user, user);
    await new WebhookSourceStore(dataSource, cipher).upsert(
      { tenantId: config.DEMO_TENANT, connector: 'youtube', sourceId: DEMO_YOUTUBE_SOURCE_ID, name: 'Demo YouTube WebSub' },
      config.DEMO_YOUTUBE_SECRET,
    );
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'youtube',
      externalId: config.DEMO_YOUTUBE_CHANNEL_ID,
      displayName: 'Google for Developers',
    });
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'twitch',
      externalId: config.DEMO_TWITCH_ID,
      displayName: 'TwitchDev',
    });
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'discord',
      externalId: config.DEMO_DISCORD_USER_ID,
      displayName: 'Alice',
    });
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'minecraft',
      externalId: config.DEMO_MINECRAFT_PLAYER_UUID,
      displayName: 'alice_mc',
    });
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'steam',
      externalId: config.DEMO_STEAM_ID,
      displayName: 'Robin',
    });
    await new AccountLinkStore(dataSource).ensureLink({
      tenantId: config.DEMO_TENANT,
      userId: config.DEMO_USER,
      provider: 'truckersmp',
      externalId: config.DEMO_TRUCKERSMP_ID,
      displayName: 'Name',
    });
  } finally {
    await dataSource.destroy();
  }
}
