import type { NormalizedEvent } from './webhook';

/** One shard of a long-lived upstream connection (e.g. a Discord Gateway shard). */
export interface GatewayShard {
  readonly id: number;
  readonly count: number;
}

/** What a running shard hands back to the platform. */
export interface GatewaySink {
  /** Stores events (for linked accounts; others are dropped) and announces them. */
  emit(tenantId: string, events: NormalizedEvent[]): Promise<void>;
  /**
   * Stores events in every tenant where their account is linked (a bot sees users of many
   * tenants; each tenant's link is that player's consent there). Accounts nobody linked: dropped.
   */
  emitToLinked(provider: string, events: NormalizedEvent[]): Promise<void>;
  /** Remembered across owners, so a shard handed over can RESUME (e.g. session id and sequence). */
  saveState(state: Record<string, unknown>): Promise<void>;
}

/**
 * A long-lived upstream connection, run by connector-workers with exactly one owner per shard
 * across all replicas (a lease in Postgres): when the owner dies, its lease ends with its
 * connection and another worker takes the shard over, starting from the saved state.
 */
export interface GatewayConnection {
  shardCount(): Promise<number>;
  /**
   * Runs the shard until `signal` aborts (return then) or the connection fails for good (throw:
   * the platform waits and runs it again). Reconnects and heartbeats are the connector's.
   */
  run(shard: GatewayShard, state: Record<string, unknown>, sink: GatewaySink, signal: AbortSignal): Promise<void>;
}
