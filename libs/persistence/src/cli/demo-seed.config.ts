import { Matches } from 'class-validator';
import { CommonConfig } from '@activity/config';

export class DemoSeedConfig extends CommonConfig {
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  DEMO_TENANT: string = 'demo';

  @Matches(/^[a-zA-Z0-9._-]{1,128}$/)
  DEMO_USER: string = 'alice';

  /** Standard Webhooks secret of the demo Minecraft source. */
  @Matches(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'must be a Standard Webhooks secret (whsec_<base64>)' })
  DEMO_MINECRAFT_SECRET: string = 'whsec_ZGVtby1taW5lY3JhZnQtc2lnbmluZy1zZWNyZXQ=';

  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'must be a lowercase UUID' })
  DEMO_MINECRAFT_PLAYER_UUID: string = 'a11ce000-0000-4000-8000-000000000001';

  /** alice's demo Steam account (Robin from the fixtures; the demo stack serves it from the fake Steam API). */
  @Matches(/^7656119\d{10}$/, { message: 'must be a SteamID64' })
  DEMO_STEAM_ID: string = '76561197960435530';

  /** alice's demo TruckersMP account (the fixture player; the demo stack serves it from the fake TruckersMP API). */
  @Matches(/^[1-9]\d{0,9}$/, { message: 'must be a TruckersMP player id' })
  DEMO_TRUCKERSMP_ID: string = '1287455';

  /** alice's demo Discord account (the fake Discord plays her presence). */
  @Matches(/^\d{17,20}$/, { message: 'must be a Discord user id (a snowflake)' })
  DEMO_DISCORD_USER_ID: string = '80351110224678912';

  /**
   * The public key of the demo Discord application (source demo-discord): PLATFORMS.md's Ed25519
   * test vector, whose private seed (bytes 1..32) is public, so anyone can sign a demo delivery.
   */
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be an Ed25519 public key as 64 hex characters' })
  DEMO_DISCORD_PUBLIC_KEY: string = '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664';

  /** alice's demo Twitch channel (the fake Twitch's twitchdev). */
  @Matches(/^\d{1,20}$/, { message: 'must be a Twitch user id' })
  DEMO_TWITCH_ID: string = '141981764';

  /** The EventSub secret of the demo Twitch source (10-100 ASCII characters, as Twitch requires). */
  @Matches(/^[\x21-\x7e]{10,100}$/, { message: 'must be 10-100 printable ASCII characters' })
  DEMO_TWITCH_SECRET: string = 'demo-twitch-eventsub-secret';

  /** alice's demo YouTube channel (the fake YouTube's Google for Developers). */
  @Matches(/^UC[A-Za-z0-9_-]{22}$/, { message: 'must be a YouTube channel id (UC + 22 characters)' })
  DEMO_YOUTUBE_CHANNEL_ID: string = 'UC_x5XG1OV2P6uZZ5FSM9Ttw';

  /** The WebSub secret of the demo YouTube source (hub.secret; the hub signs notifications with it). */
  @Matches(/^[\x21-\x7e]{10,200}$/, { message: 'must be 10-200 printable ASCII characters' })
  DEMO_YOUTUBE_SECRET: string = 'demo-youtube-websub-secret';
}
