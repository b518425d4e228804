import type { ConnectorDefinition, ConnectorRuntime } from '@activity/connector-sdk';

/** A connector definition with the working parts its settings allowed. */
export class RegisteredConnector {
  constructor(
    readonly definition: ConnectorDefinition,
    readonly runtime: ConnectorRuntime,
  ) {}

  get name(): string {
    return this.definition.name;
  }

  get displayName(): string {
    return this.definition.displayName;
  }

  /** Declared able to sync, and configured to (e.g. Steam has its API key). */
  get syncs(): boolean {
    return this.definition.capabilities.sync && Boolean(this.runtime.sync);
  }

  get receivesWebhooks(): boolean {
    return this.definition.capabilities.webhook && Boolean(this.runtime.webhook);
  }
}
