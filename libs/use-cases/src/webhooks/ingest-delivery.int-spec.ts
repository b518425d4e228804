import { randomUUID } from 'node:crypto';
import { normalizeLinkCode } from '@activity/connector-sdk';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { minecraftConnector } from '@activity/connectors';
import type { CloudEventAttributes, WebhookReceivedV1 } from '@activity/messaging';
import {
  AccountLinkClaimStore,
  AccountLinkStore,
  ActivityEventStore,
  FeedGroupStore,
  NotificationStore,
  createDataSource,
  inTenantTransaction,
  OutboxStore,
  WebhookSourceMappingStore,
  UpstreamSubscriptionStore,
} from '@activity/persistence';
import { testEnvironment } from '@activity/testing';
import { RecordActivity } from '../activity/record-activity';
import { ConnectorRegistry } from '../connectors/connector-registry';
import { RegisteredConnector } from '../connectors/registered-connector';
import { LinkAccount } from '../linking/link-account';
import { IngestDelivery } from './ingest-delivery';

/** Batches of deliveries against the real database: attribution, link codes mid-batch, announcements, redelivery. */
describe('IngestDelivery.handleBatch (real Postgres)', () => {
  let dataSource: DataSource;
  let admin: DataSource;
  let ingest: IngestDelivery;
  let claims: AccountLinkClaimStore;
  let links: AccountLinkStore;

  beforeAll(async () => {
    const environment = testEnvironment();
    dataSource = await createDataSource({ url: environment.databaseUrl, applicationName: 'ingest-batch-test' }).initialize();
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'ingest-batch-test-admin' }).initialize();
    const outbox = new OutboxStore(dataSource);
    links = new AccountLinkStore(dataSource);
    claims = new AccountLinkClaimStore();
    const registry = new ConnectorRegistry([new RegisteredConnector(minecraftConnector, minecraftConnector.create({ settings: {} } as never))]);
    ingest = new IngestDelivery(
      dataSource,
      registry,
      new RecordActivity(new ActivityEventStore(dataSource), links, outbox, new FeedGroupStore(dataSource), new NotificationStore(dataSource)),
      claims,
      new LinkAccount(links, outbox),
      links,
      new WebhookSourceMappingStore(),
      new UpstreamSubscriptionStore(),
      new ActivityEventStore(dataSource),
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await dataSource.destroy();
    await admin.destroy();
  });

  const uuid = () => randomUUID();
  function delivery(tenantId: string, player: string, type: string, data?: Record<string, unknown>) {
    const payload: WebhookReceivedV1 = {
      connector: 'minecraft',
      sourceId: 'src',
      deliveryId: `msg_${randomUUID()}`,
      receivedAt: new Date().toISOString(),
      body: { type, occurredAt: new Date().toISOString(), server: { id: 'survival' }, player: { uuid: player, name: 'steve' }, ...(data ? { data } : {}) },
    };
    const event = {
      id: randomUUID(),
      tenantId,
      type: 'dev.activity.webhook.received.v1',
      source: '/test',
      time: new Date().toISOString(),
      specversion: '1.0',
    } as CloudEventAttributes;
    return { payload, event };
  }
  const eventsOf = (tenantId: string) =>
    admin.query(`SELECT source_event_id, user_id FROM activity_events WHERE tenant_id = $1 ORDER BY id`, [tenantId]) as Promise<
      Array<{ source_event_id: string; user_id: string | null }>
    >;
  const announcementsOf = (tenantId: string) =>
    admin.query(`SELECT payload FROM outbox WHERE tenant_id = $1 AND topic = 'feed.updated' ORDER BY id`, [tenantId]) as Promise<
      Array<{ payload: { userId: string; eventIds: string[] } }>
    >;

  it('stores a batch of two tenants in delivery order, each event in the feed of whoever owned its identity at that point', async () => {
    const [tenantA, tenantB] = [`batch-a-${uuid()}`, `batch-b-${uuid()}`];
    const [linked, claimed] = [uuid(), uuid()];
    await links.ensureLink({ tenantId: tenantA, userId: 'alice', provider: 'minecraft', externalId: linked });
    await inTenantTransaction(dataSource, tenantA, (tx) =>
      claims.create(tx, { tenantId: tenantA, userId: 'bob', provider: 'minecraft', externalId: claimed, secret: normalizeLinkCode('ABCD-1234'), ttlSeconds: 600 }),
    );
    await links.ensureLink({ tenantId: tenantB, userId: 'carol', provider: 'minecraft', externalId: linked });

    const batch = [
      delivery(tenantA, linked, 'player.joined'),
      delivery(tenantA, claimed, 'player.joined'), // before bob proves the identity: no feed
      delivery(tenantB, linked, 'player.joined'),
      delivery(tenantA, claimed, 'player.link', { code: 'ABCD-1234' }),
      delivery(tenantA, claimed, 'player.quit'), // after: bob's
      delivery(tenantA, linked, 'player.quit'),
    ];
    await ingest.handleBatch(batch);

    const id = (i: number) => batch[i]!.payload.deliveryId;
    expect(await eventsOf(tenantA)).toEqual([
      { source_event_id: id(0), user_id: 'alice' },
      { source_event_id: id(1), user_id: null },
      { source_event_id: id(4), user_id: 'bob' },
      { source_event_id: id(5), user_id: 'alice' },
    ]);
    expect(await eventsOf(tenantB)).toEqual([{ source_event_id: id(2), user_id: 'carol' }]);
    // One announcement per user per flush: alice's two events before and after the link split in two.
    const announced = (await announcementsOf(tenantA)).map(({ payload }) => [payload.userId, payload.eventIds.length]);
    expect(announced).toEqual([
      ['alice', 1],
      ['bob', 1],
      ['alice', 1],
    ]);
    expect((await announcementsOf(tenantB)).map(({ payload }) => payload.userId)).toEqual(['carol']);
  });

  it("announces a batch of one user's deliveries once, and stores and announces nothing when the batch comes again", async () => {
    const tenant = `batch-c-${uuid()}`;
    const player = uuid();
    await links.ensureLink({ tenantId: tenant, userId: 'dave', provider: 'minecraft', externalId: player });
    const batch = Array.from({ length: 20 }, (_, i) => delivery(tenant, player, i % 2 ? 'player.quit' : 'player.joined'));
    await ingest.handleBatch(batch);
    await ingest.handleBatch(batch);
    expect((await eventsOf(tenant)).map((row) => row.source_event_id)).toEqual(batch.map(({ payload }) => payload.deliveryId));
    const announced = await announcementsOf(tenant);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.payload.eventIds).toHaveLength(20);
  });

  it('refuses the whole batch when one delivery is malformed, storing nothing of it', async () => {
    const tenant = `batch-d-${uuid()}`;
    const good = delivery(tenant, uuid(), 'player.joined');
    const bad = delivery(tenant, uuid(), 'player.joined');
    (bad.payload.body as { type: string }).type = 'player.teleported';
    await expect(ingest.handleBatch([good, bad])).rejects.toMatchObject({ reason: 'invalid_delivery' });
    expect(await eventsOf(tenant)).toEqual([]);
  });
});
