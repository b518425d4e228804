import type { Connector } from './connector';
import { MinecraftConnector } from './minecraft/minecraft.connector';

/** Provider name -> connector. Adding a connector is one folder and one line here. */
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

export function createDefaultConnectorRegistry(): ConnectorRegistry {
  return new ConnectorRegistry([new MinecraftConnector()]);
}
