import { EventCatalogue } from '@activity/domain';
import type { RegisteredConnector } from './registered-connector';

/** Connector name -> registered connector, and the event catalogue their definitions make. */
export class ConnectorRegistry {
  private readonly byName: ReadonlyMap<string, RegisteredConnector>;
  readonly catalogue: EventCatalogue;

  constructor(connectors: readonly RegisteredConnector[]) {
    const byName = new Map<string, RegisteredConnector>();
    for (const connector of connectors) {
      if (byName.has(connector.name)) throw new Error(`connector "${connector.name}" is registered twice`);
      byName.set(connector.name, connector);
    }
    this.byName = byName;
    this.catalogue = new EventCatalogue(connectors.flatMap((connector) => connector.definition.eventTypes));
  }

  get(name: string): RegisteredConnector | undefined {
    return this.byName.get(name);
  }

  list(): RegisteredConnector[] {
    return [...this.byName.values()];
  }

  /** Names of connectors that sync (the scheduler's providers). */
  syncing(): string[] {
    return this.list()
      .filter((connector) => connector.syncs)
      .map((connector) => connector.name);
  }
}
