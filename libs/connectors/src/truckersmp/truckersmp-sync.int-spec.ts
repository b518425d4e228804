import pino from 'pino';
import { RetryableError } from '@activity/connector-sdk';
import { CircuitBreaker, LocalTokenBucket } from '@activity/resilience';
import { FakeTruckersMpServer, truckersMpDate } from '@activity/testing';
import { TruckersMpApiClient, TruckersMpUnavailableError } from './truckersmp-api.client';
import { TruckersMpSync } from './truckersmp-sync';
import { TruckersMpLinking } from './truckersmp.connector';

const PLAYER_ID = 1287455;
const STEAM_ID = '76561198083585955';

describe('TruckersMP sync and linking against the fake TruckersMP API (real HTTP)', () => {
  let fake: FakeTruckersMpServer;
  const link = { id: 'link-1', tenantId: 't', userId: 'alice', externalId: String(PLAYER_ID) };

  function connector(maxAttempts = 3) {
    const client = new TruckersMpApiClient(
      { baseUrl: fake.apiBaseUrl, userAgent: 'activity-service-tests/1.0 (integration)', timeoutMs: 1_000, maxAttempts, backoffBaseMs: 10, backoffMaxMs: 1_500 },
      new LocalTokenBucket(1000, 1000),
      new CircuitBreaker({ failureThreshold: 50, openMs: 60_000, dependency: 'TruckersMP', isFailure: (e) => e instanceof RetryableError }),
      pino({ level: 'silent' }),
    );
    return { sync: new TruckersMpSync(client, { backfillDays: 30 }), linking: new TruckersMpLinking(client), client };
  }

  beforeEach(async () => {
    fake = await FakeTruckersMpServer.start();
    fake.addFixturePlayer(PLAYER_ID, STEAM_ID);
  });
  afterEach(() => fake.stop());

  it('first sync: a recent achievement and an upcoming VTC convoy (old ones only remembered); an unchanged re-sync emits nothing', async () => {
    const { sync } = connector();
    const first = await sync.run(link, {});
    expect(first.outcome).toBe('ok');
    expect(first.events.map((e) => e.type).sort()).toEqual(['truckersmp.achievement.earned', 'truckersmp.event.attending']);
    const achievement = first.events.find((e) => e.type === 'truckersmp.achievement.earned')!;
    expect(achievement).toMatchObject({ sourceEventId: `ach:${PLAYER_ID}:42`, object: { name: 'Convoy Driver' }, actor: { id: `truckersmp:player:${PLAYER_ID}`, name: 'Name' } });
    // achieved_at is "YYYY-MM-DD HH:MM:SS" in UTC.
    expect(achievement.occurredAt.toISOString().slice(0, 19).replace('T', ' ')).toBe(fake.players.get(PLAYER_ID)!.achievements[0]!.achieved_at);
    const convoy = first.events.find((e) => e.type === 'truckersmp.event.attending')!;
    expect(convoy.payload).toMatchObject({ eventId: 9001, name: 'Nordic Night Run', through: 'vtc', departure: 'Södertälje, Scania', arrival: 'Rotterdam, Port' });
    expect(convoy.target).toMatchObject({ id: 'truckersmp:vtc:1', name: 'TruckersMP Developers' });
    expect(first.apiCalls).toBe(3);
    expect([...fake.userAgents]).toEqual(['activity-service-tests/1.0 (integration)']);

    const again = await sync.run(link, first.state);
    expect(again.events).toEqual([]);
  });

  it('reads the envelope whether error is a boolean or the string "false"', async () => {
    fake.errorFlagAsString = true;
    const { sync } = connector();
    const first = await sync.run(link, {});
    expect(first.events).toHaveLength(2);
  });

  it('a ban, then its end: banned with the public reason and expiry, then unbanned; each once', async () => {
    const { sync } = connector();
    let state = (await sync.run(link, {})).state;
    const player = fake.players.get(PLAYER_ID)!;
    const until = truckersMpDate(Date.now() + 7 * 24 * 3600_000);
    Object.assign(player, { banned: true, bannedUntil: until, bansCount: 1 });
    player.bans = [{ expiration: until, timeAdded: truckersMpDate(Date.now() - 3600_000), active: true, reason: 'Ramming', adminName: 'Admin', adminID: 5 }];
    const banned = await sync.run(link, state);
    expect(banned.events.map((e) => e.type)).toEqual(['truckersmp.player.banned']);
    expect(banned.events[0]!.payload).toEqual({ until: `${until.replace(' ', 'T')}.000Z`, hidden: false, reason: 'Ramming' });
    state = banned.state;
    expect((await sync.run(link, state)).events).toEqual([]);

    Object.assign(player, { banned: false, bannedUntil: null });
    const unbanned = await sync.run(link, state);
    expect(unbanned.events.map((e) => e.type)).toEqual(['truckersmp.player.unbanned']);
    expect((await sync.run(link, unbanned.state)).events).toEqual([]);
  });

  it('a ban the player hides: banned with no reason (the bans list comes back empty)', async () => {
    const { sync } = connector();
    const state = (await sync.run(link, {})).state;
    const player = fake.players.get(PLAYER_ID)!;
    Object.assign(player, { banned: true, bannedUntil: null, bansCount: 2, displayBans: false });
    player.bans = [{ expiration: null, timeAdded: '2026-11-01 10:00:00', active: true, reason: 'Hidden reason', adminName: 'Admin', adminID: 5 }];
    const banned = await sync.run(link, state);
    expect(banned.events[0]).toMatchObject({ type: 'truckersmp.player.banned', payload: { until: null, hidden: true } });
    expect(banned.events[0]!.payload).not.toHaveProperty('reason');
  });

  it('a VTC change: left the old one and joined the new one (with its details), and the new VTC’s convoys', async () => {
    const { sync } = connector();
    const state = (await sync.run(link, {})).state;
    const other = fake.addFixtureVtc(77);
    const player = fake.players.get(PLAYER_ID)!;
    player.vtc = { id: 77, name: other.name, tag: other.tag, inVTC: true, memberID: 501 };
    player.vtcHistory = [
      { id: 1, name: 'TruckersMP Developers', verified: true, joinDate: '2020-03-01 10:00:00', leftDate: '2026-11-20 08:00:00' },
      { id: 77, name: other.name, verified: true, joinDate: '2026-11-21 09:30:00', leftDate: null },
    ];
    const changed = await sync.run(link, state);
    expect(changed.events.map((e) => e.type).sort()).toEqual(['truckersmp.event.attending', 'truckersmp.vtc.joined', 'truckersmp.vtc.left']);
    const left = changed.events.find((e) => e.type === 'truckersmp.vtc.left')!;
    expect(left).toMatchObject({ payload: { vtcId: 1, tag: 'TMP-DEV' }, occurredAt: new Date('2026-11-20T08:00:00Z') });
    const joined = changed.events.find((e) => e.type === 'truckersmp.vtc.joined')!;
    expect(joined).toMatchObject({ payload: { vtcId: 77, membersCount: 12, verified: true }, occurredAt: new Date('2026-11-21T09:30:00Z') });
    expect((await sync.run(link, changed.state)).events).toEqual([]);
  });

  it('links by TruckersMP id, profile URL or SteamID64, and through a Steam account; keeps the SteamID64’s digits', async () => {
    const { linking, client } = connector();
    for (const account of [String(PLAYER_ID), `https://truckersmp.com/user/${PLAYER_ID}`, STEAM_ID]) {
      await expect(linking.resolve({ account })).resolves.toEqual({ externalId: String(PLAYER_ID), displayName: 'Name' });
    }
    await expect(linking.through.resolve('steam', STEAM_ID)).resolves.toEqual({ externalId: String(PLAYER_ID), displayName: 'Name' });
    // 76561198083585955 is not a safe integer: as a JS number it would read ...5956 or ...5952.
    expect((await client.findPlayer(STEAM_ID))!.steamID64).toBe(STEAM_ID);
  });

  it('an unknown player is a validation problem with its descriptor behind it, whatever status TruckersMP answers with', async () => {
    const { linking } = connector();
    for (const status of [404, 200]) {
      fake.errorStatus = status;
      await expect(linking.resolve({ account: '999999' })).rejects.toMatchObject({ code: 'validation_failed', details: [{ messageKey: 'validation.truckersmp.unknownPlayer' }] });
      await expect(linking.through.resolve('steam', '76561197960287930')).rejects.toMatchObject({ details: [{ messageKey: 'validation.truckersmp.noPlayerForSteam' }] });
    }
  });

  it('retries 429 and 500, then gives up with TruckersMpUnavailableError', async () => {
    const { client } = connector(3);
    fake.fail429 = 1;
    fake.fail500 = 1;
    await expect(client.findPlayer(String(PLAYER_ID))).resolves.toMatchObject({ id: PLAYER_ID });
    fake.fail500 = 5;
    await expect(client.findPlayer(String(PLAYER_ID))).rejects.toBeInstanceOf(TruckersMpUnavailableError);
  });
});
