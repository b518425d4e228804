import type { DataSource } from 'typeorm';
import type { NewActivityEvent } from '@activity/domain';
import { testEnvironment } from '@activity/testing';
import { createDataSource } from '../data-source';
import { inTenantTransaction, queryAsTenant } from '../tenant-transaction';
import { ActivityEventStore } from './activity-event.store';

function event(tenantId: string, n: number, overrides: Partial<NewActivityEvent> = {}): NewActivityEvent {
  return {
    tenantId,
    userId: 'alice',
    source: 'minecraft',
    sourceEventId: `msg_${n}`,
    type: n % 2 ? 'minecraft.player.joined' : 'minecraft.player.quit',
    actor: { type: 'Person', id: 'p', name: 'alice_mc' },
    // Several events share a timestamp, so the id tie-breaker is exercised.
    occurredAt: new Date(Date.UTC(2026, 10, 26, 10, 0, Math.floor(n / 3))),
    payload: { n },
    ...overrides,
  };
}

describe('ActivityEventStore (real Postgres)', () => {
  let dataSource: DataSource;
  let admin: DataSource;
  let store: ActivityEventStore;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: testEnvironment().databaseUrl, applicationName: 'event-store-test' }).initialize();
    admin = await createDataSource({ url: testEnvironment().adminDatabaseUrl, applicationName: 'event-store-test-admin' }).initialize();
    store = new ActivityEventStore(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await admin.destroy();
  });

  it('inserts each (tenant, source, source_event_id) once', async () => {
    const tenant = `t-dedupe-${Date.now()}`;
    const first = await inTenantTransaction(dataSource, tenant, (m) => store.insertNew(m, [event(tenant, 1), event(tenant, 2)]));
    const again = await inTenantTransaction(dataSource, tenant, (m) => store.insertNew(m, [event(tenant, 1), event(tenant, 3)]));
    expect(first).toHaveLength(2);
    expect(again.map((row) => row.type)).toEqual(['minecraft.player.joined']);
    const [{ count }] = await admin.query('SELECT count(*)::int AS count FROM activity_events WHERE tenant_id = $1', [tenant]);
    expect(count).toBe(3);
  });

  it('pages by (occurred_at desc, id desc) with no gaps or duplicates', async () => {
    const tenant = `t-page-${Date.now()}`;
    await inTenantTransaction(dataSource, tenant, (m) =>
      store.insertNew(
        m,
        Array.from({ length: 25 }, (_, i) => event(tenant, i)),
      ),
    );
    const seen: string[] = [];
    let before: { occurredAt: Date; id: string } | undefined;
    for (;;) {
      const page = await store.page({ tenantId: tenant, userId: 'alice', limit: 7, ...(before ? { before } : {}) });
      seen.push(...page.map((row) => row.sourceEventId));
      if (page.length < 7) break;
      before = page.at(-1)!;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = await store.page({ tenantId: tenant, userId: 'alice', limit: 100 });
    expect(all.map((row) => row.sourceEventId)).toEqual(seen);
    const keys = all.map((row) => [row.occurredAt.getTime(), BigInt(row.id)] as const);
    for (let i = 1; i < keys.length; i += 1) {
      const [t0, id0] = keys[i - 1]!;
      const [t1, id1] = keys[i]!;
      expect(t0 > t1 || (t0 === t1 && id0 > id1)).toBe(true);
    }
  });

  it('filters by type and time range and scopes by tenant and user', async () => {
    const tenant = `t-filter-${Date.now()}`;
    await inTenantTransaction(dataSource, tenant, (m) => store.insertNew(m, [...Array.from({ length: 6 }, (_, i) => event(tenant, i)), event(tenant, 100, { userId: 'bob' })]));
    await inTenantTransaction(dataSource, `${tenant}-other`, (m) => store.insertNew(m, [event(`${tenant}-other`, 1)]));
    const joined = await store.page({ tenantId: tenant, userId: 'alice', types: ['minecraft.player.joined'], limit: 100 });
    expect(joined.map((row) => row.payload['n'])).toEqual([5, 3, 1]);
    const ranged = await store.page({
      tenantId: tenant,
      userId: 'alice',
      since: new Date(Date.UTC(2026, 10, 26, 10, 0, 1)),
      until: new Date(Date.UTC(2026, 10, 26, 10, 0, 2)),
      limit: 100,
    });
    expect(ranged.map((row) => row.payload['n']).sort()).toEqual([3, 4, 5]);
    const wholeTenant = await store.page({ tenantId: tenant, userId: null, limit: 100 });
    expect(wholeTenant).toHaveLength(7);
    expect(wholeTenant.every((row) => row.tenantId === tenant)).toBe(true);
  });

  describe('row-level security (as the activity_app role)', () => {
    it('returns nothing to a query that forgets to set the tenant', async () => {
      const tenant = `t-rls-${Date.now()}`;
      await inTenantTransaction(dataSource, tenant, (m) => store.insertNew(m, [event(tenant, 1)]));
      const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM activity_events');
      expect(count).toBe(0);
      const [{ total }] = await admin.query('SELECT count(*)::int AS total FROM activity_events WHERE tenant_id = $1', [tenant]);
      expect(total).toBe(1);
    });

    it("hides another tenant's rows even when the query names that tenant", async () => {
      const victim = `t-victim-${Date.now()}`;
      await inTenantTransaction(dataSource, victim, (m) => store.insertNew(m, [event(victim, 1)]));
      const leaked = await inTenantTransaction(dataSource, 'attacker', (m) => m.query('SELECT id FROM activity_events WHERE tenant_id = $1', [victim]));
      expect(leaked).toEqual([]);
    });

    it('queryAsTenant inlines values as safe literals in one round trip, and scopes only that statement', async () => {
      const hostile = "x'); DROP TABLE outbox; --\\";
      const rows = await queryAsTenant<{ tenant: string; value: string; list: string[] }>(
        dataSource,
        hostile,
        `SELECT current_setting('app.tenant_id') AS tenant, $1::text AS value, $2::text[] AS list`,
        ["it's \\ fine", ["a'b", 'c']],
      );
      expect(rows).toEqual([{ tenant: hostile, value: "it's \\ fine", list: ["a'b", 'c'] }]);
      const [{ after }] = await dataSource.query(`SELECT current_setting('app.tenant_id', true) AS after`);
      expect(after === null || after === '').toBe(true);
      const [{ exists }] = await admin.query(`SELECT to_regclass('public.outbox') IS NOT NULL AS exists`);
      expect(exists).toBe(true);
    });

    it('refuses to write a row for another tenant', async () => {
      await expect(inTenantTransaction(dataSource, 'attacker', (m) => store.insertNew(m, [event('someone-else', 1)]))).rejects.toThrow(/row-level security/);
    });
  });
});
