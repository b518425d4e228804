import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a long-lived upstream connection (a gateway shard) must remember across owners: when the
 * worker that held a shard dies, the next owner resumes from here (e.g. a session id and sequence
 * number). A shard is not a tenant's, so the table sits outside row-level security and holds no
 * feed data.
 */
export class GatewayShardStates1764190000000 implements MigrationInterface {
  name = 'GatewayShardStates1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_shard_states (
        connector   text        NOT NULL,
        shard_id    integer     NOT NULL CHECK (shard_id >= 0),
        state       jsonb       NOT NULL DEFAULT '{}',
        owner       text        NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connector, shard_id)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON gateway_shard_states TO activity_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS gateway_shard_states`);
  }
}
