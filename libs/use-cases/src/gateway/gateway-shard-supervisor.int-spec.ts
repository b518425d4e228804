import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { defineConnector, type GatewayConnection, type GatewayShard, type GatewaySink } from '@activity/connector-sdk';
import { AccountLinkStore, ActivityEventStore, createDataSource, FeedGroupStore, GatewayShardStateStore, NotificationStore, OutboxStore } from '@activity/persistence';
import { testEnvironment, waitFor } from '@activity/testing';
import { RecordActivity } from '../activity/record-activity';
import { ConnectorRegistry } from '../connectors/connector-registry';
import { RegisteredConnector } from '../connectors/registered-connector';
import { GatewayShardSupervisor } from './gateway-shard-supervisor';

const SHARDS = 4;

/** Who runs which shard right now, across both supervisors, and every overlap ever seen. */
class ShardTracker {
  readonly active = new Map<number, string>();
  readonly overlaps: string[] = [];
  readonly starts: Array<{ shard: number; owner: string; resumedSeq: number }> = [];
}

/** A gateway that holds its shard until aborted, saving a sequence number the next owner resumes from. */
class FakeGateway implements GatewayConnection {
  constructor(
    private readonly owner: string,
    private readonly tracker: ShardTracker,
    private readonly onShardZero: (sink: GatewaySink) => Promise<void>,
  ) {}

  async shardCount(): Promise<number> {
    return SHARDS;
  }

  async run(shard: GatewayShard, state: Record<string, unknown>, sink: GatewaySink, signal: AbortSignal): Promise<void> {
    const other = this.tracker.active.get(shard.id);
    if (other) this.tracker.overlaps.push(`shard ${shard.id}: ${this.owner} while ${other}`);
    this.tracker.active.set(shard.id, this.owner);
    const resumedSeq = typeof state['seq'] === 'number' ? state['seq'] : 0;
    this.tracker.starts.push({ shard: shard.id, owner: this.owner, resumedSeq });
    await sink.saveState({ seq: resumedSeq + 1 });
    if (shard.id === 0) await this.onShardZero(sink);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    if (this.tracker.active.get(shard.id) === this.owner) this.tracker.active.delete(shard.id);
  }
}

describe('GatewayShardSupervisor (real Postgres leases)', () => {
  const environment = testEnvironment();
  const logger = pino({ level: 'silent' });
  const connector = `gw${randomUUID().slice(0, 8)}`;
  const tenant = `gateway-${Date.now().toString(36)}`;
  const tracker = new ShardTracker();
  let dataSource: DataSource;
  let admin: DataSource;
  const supervisors: GatewayShardSupervisor[] = [];

  const supervisor = (owner: string) => {
    const gateway = new FakeGateway(owner, tracker, async (sink) => {
      await sink.emit(tenant, [
        {
          source: connector,
          sourceEventId: `presence-${owner}`,
          type: `${connector}.presence.updated`,
          externalAccountId: 'player-1',
          actor: { type: 'Person', id: 'player-1', name: 'Gale' },
          occurredAt: new Date(),
          payload: { owner },
        },
      ]);
    });
    const definition = defineConnector({
      name: connector,
      displayName: 'Gateway fixture',
      capabilities: { webhook: false, sync: false, requiresAuth: false },
      eventTypes: [],
      create: () => ({ gateway }),
    });
    const registry = new ConnectorRegistry([new RegisteredConnector(definition, { gateway })]);
    const activity = new RecordActivity(
      new ActivityEventStore(dataSource),
      new AccountLinkStore(dataSource),
      new OutboxStore(dataSource),
      new FeedGroupStore(dataSource),
      new NotificationStore(dataSource),
    );
    const created = new GatewayShardSupervisor(
      dataSource,
      registry,
      activity,
      new GatewayShardStateStore(dataSource),
      new AccountLinkStore(dataSource),
      { databaseUrl: environment.databaseUrl, owner, claimIntervalMs: 100, restartDelayMs: 100 },
      logger,
    );
    supervisors.push(created);
    return created;
  };

  beforeAll(async () => {
    dataSource = await createDataSource({ url: environment.databaseUrl, applicationName: 'gateway-test' }).initialize();
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'gateway-test-admin' }).initialize();
    await new AccountLinkStore(admin).ensureLink({ tenantId: tenant, userId: 'gale', provider: connector, externalId: 'player-1' });
  });

  afterAll(async () => {
    await Promise.all(supervisors.map((s) => s.stop()));
    await dataSource?.destroy();
    await admin?.destroy();
  });

  it('gives every shard exactly one owner across two workers, records what a shard emits, and hands a dead worker’s shards over with their saved state', async () => {
    const a = supervisor('worker-a');
    await a.start();
    await waitFor('worker-a owns every shard', () => a.owned().length === SHARDS);
    const b = supervisor('worker-b');
    await b.start();
    // B keeps trying, but the leases are A's: nothing moves while A lives.
    await waitFor('worker-b has tried every shard three times', () => b.claimAttempts >= 3 * SHARDS);
    expect(b.owned()).toEqual([]);
    expect(a.owned()).toHaveLength(SHARDS);
    expect(tracker.overlaps).toEqual([]);

    // Shard 0 emitted a presence event: it is in the linked player's feed, announced like any other.
    await waitFor('the emitted event stored', async () => {
      const rows = await admin.query(`SELECT user_id FROM activity_events WHERE tenant_id = $1 AND source = $2`, [tenant, connector]);
      return rows.length === 1 && rows[0].user_id === 'gale';
    });

    // Worker A dies: its database session ends, and with it every lease it held.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gateway-shards:worker-a'`);
    const savedStates = () =>
      admin.query(`SELECT shard_id, owner, (state->>'seq')::int AS seq FROM gateway_shard_states WHERE connector = $1 ORDER BY shard_id`, [connector]) as Promise<
        Array<{ owner: string }>
      >;
    await waitFor(
      'worker-b runs every shard and has saved its state',
      async () => b.owned().length === SHARDS && (await savedStates()).every((row) => row.owner === 'worker-b'),
      10_000,
    );
    expect(a.owned()).toEqual([]);
    const takeovers = tracker.starts.filter((start) => start.owner === 'worker-b');
    expect(takeovers.map((start) => start.shard).sort()).toEqual([0, 1, 2, 3]);
    // Each new run resumed from what worker A saved.
    expect(takeovers.every((start) => start.resumedSeq >= 1)).toBe(true);
    expect(await savedStates()).toEqual([0, 1, 2, 3].map((shard) => ({ shard_id: shard, owner: 'worker-b', seq: 2 })));
  });
});
