import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../persistence.tokens';

export interface GatewayShardState {
  readonly state: Record<string, unknown>;
  /** The worker that saved it last. */
  readonly owner: string;
  readonly updatedAt: Date;
}

/** What each gateway shard saved for whoever runs it next (see the gateway_shard_states migration). */
@Injectable()
export class GatewayShardStateStore {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async load(connector: string, shardId: number): Promise<GatewayShardState | null> {
    const rows: Array<{ state: Record<string, unknown>; owner: string; updated_at: Date }> = await this.dataSource.query(
      `SELECT state, owner, updated_at FROM gateway_shard_states WHERE connector = $1 AND shard_id = $2`,
      [connector, shardId],
    );
    const row = rows[0];
    return row ? { state: row.state, owner: row.owner, updatedAt: row.updated_at } : null;
  }

  async save(connector: string, shardId: number, state: Record<string, unknown>, owner: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO gateway_shard_states (connector, shard_id, state, owner) VALUES ($1, $2, $3, $4)
       ON CONFLICT (connector, shard_id) DO UPDATE SET state = EXCLUDED.state, owner = EXCLUDED.owner, updated_at = now()`,
      [connector, shardId, JSON.stringify(state), owner],
    );
  }
}
