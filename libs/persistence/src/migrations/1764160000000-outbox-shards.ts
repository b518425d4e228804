import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows get a shard (hash of topic and key, 0..63). A relay only drains a shard while it
 * holds that shard's advisory lock, so with any number of relay replicas each key is published by
 * one relay at a time, in id order (see docs/outbox.md).
 */
export class OutboxShards1764160000000 implements MigrationInterface {
  name = 'OutboxShards1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN shard smallint GENERATED ALWAYS AS ((abs(hashtext(topic || '/' || message_key)) % 64)::smallint) STORED`);
    await q.query(`CREATE INDEX ix_outbox_shard_due ON outbox (shard, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_outbox_dead ON outbox (id) WHERE status = 'dead'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_outbox_dead`);
    await q.query(`DROP INDEX IF EXISTS ix_outbox_shard_due`);
    await q.query(`ALTER TABLE outbox DROP COLUMN IF EXISTS shard`);
  }
}
