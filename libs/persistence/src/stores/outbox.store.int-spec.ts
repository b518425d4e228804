import type { DataSource } from 'typeorm';
import { testEnvironment, waitFor } from '@activity/testing';
import { createDataSource } from '../data-source';
import { OutboxStore, type ClaimedOutboxMessage, type OutboxMessage } from './outbox.store';

const policy = { baseMs: 60_000, maxMs: 60_000, maxAttempts: 3 };

function message(key: string, n: number): OutboxMessage {
  return { tenantId: 'outbox-test', topic: 'feed.updated', key, headers: { ce_id: `id-${n}` }, payload: { n } };
}

describe('OutboxStore (real Postgres)', () => {
  let dataSource: DataSource;
  let store: OutboxStore;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: testEnvironment().databaseUrl, applicationName: 'outbox-store-test' }).initialize();
    store = new OutboxStore(dataSource);
  });
  afterAll(() => dataSource.destroy());
  beforeEach(() => dataSource.query('DELETE FROM outbox'));

  const enqueue = (messages: OutboxMessage[]) => dataSource.transaction((manager) => store.enqueue(manager, messages));

  it('is vacuumed after a few thousand changes, not after a fifth of the table (dead entries slow every claim)', async () => {
    const [{ reloptions }] = (await dataSource.query(`SELECT reloptions FROM pg_class WHERE relname = 'outbox' AND relkind = 'r'`)) as Array<{ reloptions: string[] }>;
    expect(reloptions).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=2000', 'autovacuum_vacuum_cost_delay=0']));
  });

  it('searches from a floor for due shards, yet takes a locked shard from its oldest pending row', async () => {
    await enqueue([message('a', 1), message('z', 2)]);
    await enqueue([message('a', 3)]);
    const ids: Array<{ id: string; n: number }> = await dataSource.query(`SELECT id::text AS id, (payload->>'n')::int AS n FROM outbox ORDER BY id`);
    const third = ids.find((row) => row.n === 3)!.id;
    // From the floor at row 3: the shard of key a is found through row 3, and its row 1 goes out first.
    const published: number[] = [];
    const fromFloor = await store.drainDue(10, policy, async (batch) => void published.push(...batch.map((m) => m.payload['n'] as number)), third);
    expect(published.filter((n) => n !== 2)).toEqual([1, 3]);
    expect(fromFloor.lowestId).toBe(ids[0]!.id);
    // Row 2 (key z) lies below the floor in a shard nothing above the floor names, unless key z shares a's shard.
    const rest = await store.drainDue(10, policy, async () => undefined, '0');
    expect(fromFloor.sent + rest.sent).toBe(3);
  });

  it('publishes due rows in id order and marks them sent', async () => {
    await enqueue([message('a', 1), message('b', 2), message('a', 3)]);
    const published: ClaimedOutboxMessage[] = [];
    const result = await store.drainDue(10, policy, async (batch) => void published.push(...batch));
    expect(result).toMatchObject({ sent: 3, failed: 0, dead: 0 });
    // Order holds per key (keys live in shards, drained one shard at a time).
    expect(published.filter((m) => m.key === 'a').map((m) => m.payload['n'])).toEqual([1, 3]);
    expect(published.find((m) => m.key === 'a')).toMatchObject({ topic: 'feed.updated', headers: { ce_id: 'id-1' } });
    const rows: Array<{ status: string; attempts: number; sent_at: Date | null }> = await dataSource.query('SELECT status, attempts, sent_at FROM outbox ORDER BY id');
    expect(rows.every((row) => row.status === 'sent' && row.attempts === 1 && row.sent_at)).toBe(true);
    expect(await store.countByStatus()).toEqual({ pending: 0, sent: 3, dead: 0 });
  });

  it('reschedules a failed batch with backoff and records the error', async () => {
    await enqueue([message('a', 1)]);
    const result = await store.drainDue(10, policy, async () => {
      throw new Error('broker unavailable');
    });
    expect(result).toMatchObject({ sent: 0, failed: 1, dead: 0 });
    const [row]: Array<{ status: string; attempts: number; last_error: string; due_in: number }> = await dataSource.query(
      `SELECT status, attempts, last_error, extract(epoch FROM next_attempt_at - now()) AS due_in FROM outbox`,
    );
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'broker unavailable' });
    expect(Number(row!.due_in)).toBeGreaterThanOrEqual(0);
    expect(Number(row!.due_in)).toBeLessThanOrEqual(60);
    const nothingDue = await store.drainDue(10, policy, async () => undefined);
    expect(nothingDue.sent).toBe(0);
  });

  it('marks a row dead after the last attempt', async () => {
    await enqueue([message('a', 1)]);
    const results = [];
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
      await dataSource.query(`UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'`);
      results.push(
        await store.drainDue(10, policy, async () => {
          throw new Error(`attempt ${attempt} failed`);
        }),
      );
    }
    expect(results.map((r) => r.dead)).toEqual([0, 0, 1]);
    expect(await store.countByStatus()).toEqual({ pending: 0, sent: 0, dead: 1 });
    const [row]: Array<{ attempts: number; last_error: string }> = await dataSource.query('SELECT attempts, last_error FROM outbox');
    expect(row).toEqual({ attempts: 3, last_error: 'attempt 3 failed' });
  });

  it('holds back a row while an older row with the same key is backing off (per-key order)', async () => {
    await enqueue([message('k', 1)]);
    await store.drainDue(10, policy, async () => {
      throw new Error('fail first');
    });
    await enqueue([message('k', 2), message('other', 3)]);
    const published: ClaimedOutboxMessage[] = [];
    await store.drainDue(10, policy, async (batch) => void published.push(...batch));
    expect(published.map((m) => m.payload['n'])).toEqual([3]);
  });

  it('lets two relays drain at once without ever handling the same shard together', async () => {
    await enqueue(Array.from({ length: 20 }, (_, i) => message(`key-${i}`, i)));
    const seen: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const first = store.drainDue(5, policy, async (batch) => {
      calls += 1;
      seen.push(...batch.map((m) => m.payload['n'] as number));
      if (calls === 1) await held;
    });
    // The first relay holds its claim (its publish is waiting on `held`).
    await waitFor('the first relay to claim a batch', () => (calls === 1 ? true : undefined), 10_000, 10);
    const second = await store.drainDue(100, policy, async (batch) => void seen.push(...batch.map((m) => m.payload['n'] as number)));
    release();
    await first;
    // The second relay did not wait for the first: it drained other shards meanwhile.
    expect(second.sent).toBeGreaterThan(0);
    while ((await store.drainDue(100, policy, async (batch) => void seen.push(...batch.map((m) => m.payload['n'] as number)))).sent > 0);
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
  });

  it('requeues dead rows (all or by id) and prunes old sent rows', async () => {
    await enqueue([message('a', 1), message('b', 2)]);
    await dataSource.query(`UPDATE outbox SET status = 'dead', attempts = 3, last_error = 'gave up'`);
    const [first] = (await dataSource.query('SELECT id::text AS id FROM outbox ORDER BY id')) as Array<{ id: string }>;
    expect(await store.requeueDead([first!.id])).toEqual([first!.id]);
    expect(await store.countByStatus()).toEqual({ pending: 1, sent: 0, dead: 1 });
    expect(await store.requeueDead()).toHaveLength(1);
    const rows: Array<{ attempts: number; last_error: string }> = await dataSource.query('SELECT attempts, last_error FROM outbox');
    expect(rows.every((row) => row.attempts === 0 && row.last_error === 'requeued after: gave up')).toBe(true);
    await store.drainDue(10, policy, async () => undefined);
    await dataSource.query(`UPDATE outbox SET sent_at = now() - interval '5 hours' WHERE id = $1`, [first!.id]);
    expect(await store.pruneSent(4)).toBe(1);
    expect(await store.countByStatus()).toEqual({ pending: 0, sent: 1, dead: 0 });
  });
});
