import type { NormalizedEvent, SyncLink, SyncMethod, SyncResult } from '@activity/connector-sdk';
import type { TruckersMpApiClient } from './truckersmp-api.client';
import type { TruckersMpEvent } from './truckersmp-api.types';
import { parseTruckersMpDate, TruckersMpApiError } from './truckersmp-envelope';

/** What a sync remembers about a TruckersMP player, so the next one reports only what changed. */
export interface TruckersMpSyncState {
  initialized?: boolean;
  banned?: boolean;
  bannedUntil?: string | null;
  bansCount?: number;
  vtc?: { id: number; name: string; tag: string; memberId: number } | null;
  /** achievement ids already reported (or older than the backfill on the first sync) */
  achievements?: number[];
  /** convoy ids already reported, newest last (bounded) */
  events?: number[];
}

export interface TruckersMpSyncOptions {
  /** On a link's first sync, achievements earned this many days back still become events. */
  readonly backfillDays: number;
}

/** Convoys remembered per link: enough to outlast the API's lists, small enough for the link's state. */
const REMEMBERED_EVENTS = 300;

/**
 * TruckersMP, pulled through the public API: the player (ban state, VTC membership,
 * achievements), the convoys their VTC attends and the ones they organise. Events are emitted for
 * differences from the stored state only, with ids built from the facts, so an unchanged
 * re-sync emits nothing and a retried one emits the same ids.
 */
export class TruckersMpSync implements SyncMethod {
  constructor(
    private readonly client: TruckersMpApiClient,
    private readonly options: TruckersMpSyncOptions,
  ) {}

  async run(link: SyncLink, stored: Record<string, unknown>): Promise<SyncResult> {
    const state = stored as TruckersMpSyncState;
    let apiCalls = 0;
    const call = <T>(work: Promise<T>): Promise<T> => {
      apiCalls += 1;
      return work;
    };
    const player = await call(this.client.findPlayer(link.externalId));
    if (!player) throw new TruckersMpApiError(`TruckersMP knows no player ${link.externalId} any more`, 404);
    const first = !state.initialized;
    const now = new Date();
    const playerId = String(player.id);
    const actor = { type: 'Person', id: `truckersmp:player:${playerId}`, name: player.name };
    const events: NormalizedEvent[] = [];
    const emit = (type: string, sourceEventId: string, occurredAt: Date, rest: Partial<NormalizedEvent>) =>
      events.push({ source: 'truckersmp', sourceEventId, type, externalAccountId: link.externalId, actor, occurredAt, payload: {}, ...rest });

    // Achievements.
    const knownAchievements = new Set(state.achievements ?? []);
    const backfillFrom = now.getTime() - this.options.backfillDays * 24 * 3600_000;
    for (const achievement of player.achievements ?? []) {
      if (knownAchievements.has(achievement.id)) continue;
      knownAchievements.add(achievement.id);
      const achievedAt = parseTruckersMpDate(achievement.achieved_at) ?? now;
      if (first && achievedAt.getTime() < backfillFrom) continue;
      emit('truckersmp.achievement.earned', `ach:${playerId}:${achievement.id}`, achievedAt, {
        object: { type: 'Achievement', id: `truckersmp:achievement:${achievement.id}`, name: achievement.title },
        payload: { achievementId: achievement.id, title: achievement.title, ...(achievement.description ? { description: achievement.description } : {}) },
      });
    }

    // VTC membership.
    const vtc = player.vtc?.inVTC && player.vtc.id ? { id: player.vtc.id, name: player.vtc.name, tag: player.vtc.tag, memberId: player.vtc.memberID } : null;
    const previousVtc = state.vtc ?? null;
    if (!first && previousVtc?.id !== vtc?.id) {
      if (previousVtc) {
        const left = player.vtcHistory?.find((entry) => entry.id === previousVtc.id && entry.leftDate);
        emit('truckersmp.vtc.left', `vtc-left:${playerId}:${previousVtc.id}:${previousVtc.memberId}`, parseTruckersMpDate(left?.leftDate) ?? now, {
          object: vtcObject(previousVtc),
          payload: { vtcId: previousVtc.id, name: previousVtc.name, tag: previousVtc.tag },
        });
      }
      if (vtc) {
        const details = await call(this.client.findVtc(vtc.id));
        const joined = player.vtcHistory?.find((entry) => entry.id === vtc.id && !entry.leftDate);
        emit('truckersmp.vtc.joined', `vtc-joined:${playerId}:${vtc.id}:${vtc.memberId}`, parseTruckersMpDate(joined?.joinDate) ?? now, {
          object: vtcObject(vtc),
          payload: {
            vtcId: vtc.id,
            name: vtc.name,
            tag: vtc.tag,
            ...(details?.members_count !== undefined ? { membersCount: details.members_count } : {}),
            ...(details?.verified !== undefined ? { verified: details.verified } : {}),
          },
        });
      }
    }

    // Bans: only transitions are news; the first sync records the state.
    const bansCount = player.bansCount ?? 0;
    if (!first && player.banned && !state.banned) {
      const active = (await call(this.client.getBans(player.id))).find((ban) => ban.active);
      const until = parseTruckersMpDate(player.bannedUntil ?? active?.expiration ?? null);
      emit('truckersmp.player.banned', `ban:${playerId}:${bansCount}:${player.bannedUntil ?? 'permanent'}`, parseTruckersMpDate(active?.timeAdded) ?? now, {
        payload: { until: until?.toISOString() ?? null, hidden: !active, ...(active?.reason ? { reason: active.reason } : {}) },
      });
    } else if (!first && !player.banned && state.banned) {
      emit('truckersmp.player.unbanned', `unban:${playerId}:${state.bansCount ?? 0}:${state.bannedUntil ?? 'permanent'}`, now, { payload: {} });
    }

    // Convoys: the VTC's confirmed attendances and the player's own; on the first sync only those still ahead.
    const seenEvents = new Set(state.events ?? []);
    const convoys: Array<{ event: TruckersMpEvent; through: 'vtc' | 'player' }> = [];
    if (vtc) for (const event of await call(this.client.getVtcAttendingEvents(vtc.id))) convoys.push({ event, through: 'vtc' });
    for (const event of await call(this.client.getPlayerEvents(player.id))) convoys.push({ event, through: 'player' });
    const remembered = [...(state.events ?? [])];
    for (const { event, through } of convoys) {
      if (seenEvents.has(event.id)) continue;
      seenEvents.add(event.id);
      remembered.push(event.id);
      const startAt = parseTruckersMpDate(event.start_at);
      if (first && (!startAt || startAt.getTime() < now.getTime())) continue;
      emit('truckersmp.event.attending', `convoy:${playerId}:${event.id}`, now, {
        object: { type: 'Event', id: `truckersmp:event:${event.id}`, name: event.name },
        ...(through === 'vtc' && vtc ? { target: vtcObject(vtc) } : {}),
        payload: {
          eventId: event.id,
          name: event.name,
          through,
          departure: place(event.departure),
          arrival: place(event.arrive),
          startAt: startAt?.toISOString() ?? null,
          ...(event.server?.name ? { server: event.server.name } : {}),
          ...(event.game ? { game: event.game } : {}),
          ...(event.url ? { url: absoluteEventUrl(event.url) } : {}),
        },
      });
    }

    const next: TruckersMpSyncState = {
      initialized: true,
      banned: player.banned,
      bannedUntil: player.bannedUntil ?? null,
      bansCount,
      vtc,
      achievements: [...knownAchievements],
      events: remembered.slice(-REMEMBERED_EVENTS),
    };
    return { events, state: next as Record<string, unknown>, outcome: 'ok', apiCalls };
  }
}

function vtcObject(vtc: { id: number; name: string }) {
  return { type: 'Organization', id: `truckersmp:vtc:${vtc.id}`, name: vtc.name };
}

function place(point: TruckersMpEvent['departure']): string {
  return [point?.city, point?.location].filter((part) => part && part.trim()).join(', ') || '?';
}

/** The API gives paths such as `/events/123-name`. */
function absoluteEventUrl(url: string): string {
  return /^https?:\/\//.test(url) ? url : `https://truckersmp.com${url.startsWith('/') ? '' : '/'}${url}`;
}
