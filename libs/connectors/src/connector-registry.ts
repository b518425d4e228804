import type { Connector } from './connector';
import { MinecraftConnector } from './minecraft/minecraft.connector';
import { SteamConnector, type SteamConnectorOptions } from './steam/steam.connector';
import type { SteamWebApiClient } from './steam/steam-web-api.client';

/** Provider name -> connector. Adding a connector is one folder and one line in `createConnectorRegistry`. */
export class ConnectorRegistry {
  private readonly connectors: ReadonlyMap<string, Connector>;

  constructor(connectors: readonly Connector[]) {
    this.connectors = new Map(connectors.map((connector) => [connector.describe().name, connector]));
  }

  get(name: string): Connector | undefined {
    return this.connectors.get(name);
  }

  list(): Connector[] {
    return [...this.connectors.values()];
  }
}

/** What connectors need from the outside world; a connector whose dependency is absent is left out. */
export interface ConnectorDependencies {
  readonly steam?: { readonly client: SteamWebApiClient; readonly options: SteamConnectorOptions };
}

export function createConnectorRegistry(dependencies: ConnectorDependencies = {}): ConnectorRegistry {
  return new ConnectorRegistry([
    new MinecraftConnector(),
    ...(dependencies.steam ? [new SteamConnector(dependencies.steam.client, dependencies.steam.options)] : []),
  ]);
}
