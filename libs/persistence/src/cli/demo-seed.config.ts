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
}
