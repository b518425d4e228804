import type { ConnectorDefinition } from '@activity/connector-sdk';
import { customConnector } from './custom/custom.connector';
import { discordConnector } from './discord/discord.connector';
import { minecraftConnector } from './minecraft/minecraft.connector';
import { steamConnector } from './steam/steam.connector';
import { truckersMpConnector } from './truckersmp/truckersmp.connector';
import { twitchConnector } from './twitch/twitch.connector';
import { youTubeConnector } from './youtube/youtube.connector';

/** The connectors this repository ships; more come from CONNECTOR_PLUGINS (see docs/connectors.md). */
export const BUILT_IN_CONNECTORS: readonly ConnectorDefinition[] = [
  minecraftConnector,
  steamConnector,
  truckersMpConnector,
  discordConnector,
  twitchConnector,
  youTubeConnector,
  customConnector,
] as readonly ConnectorDefinition[];
