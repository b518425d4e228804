import type { NormalizedEvent } from '@activity/connector-sdk';

/** The part of a Gateway presence activity we read (PLATFORMS.md §2). */
export interface PresenceActivity {
  readonly name?: string;
  readonly type?: number;
  readonly application_id?: string;
  readonly created_at?: number;
  readonly timestamps?: { readonly start?: number; readonly end?: number };
  readonly details?: string;
  readonly state?: string;
}

interface Game {
  readonly key: string;
  readonly name: string;
  readonly applicationId?: string;
  /** Epoch ms: Discord's `timestamps.start`, else `created_at`, else when we saw it. */
  readonly startedAt: number;
  readonly guildId?: string;
  readonly details?: string;
  readonly state?: string;
}

interface UserPresence {
  /** The game whose start was announced. */
  playing?: Game;
  /** It stopped (or changed) at this time; announced once it stays stopped for the debounce. */
  stoppedAt?: number;
  /** A game seen but not yet held for the debounce. */
  candidate?: { readonly game: Game; readonly since: number };
}

/** What survives a shard hand-over: the games whose start was announced, by user. */
export type PresenceSnapshot = Record<string, { key: string; name: string; applicationId?: string; startedAt: number }>;

const PLAYING = 0;

/**
 * Turns a stream of presence updates into game sessions: `discord.game.started` once a Playing
 * activity (type 0) has lasted `debounceMs`, `discord.game.ended` (with the session length) once
 * it has been gone that long. Flapping (a game that stops and comes back, a start that does not
 * last) announces nothing. Event ids come from user, game and start time, so the same session
 * seen through several guilds or shards is stored once. Pure: time is passed in.
 */
export class PresenceSessions {
  private readonly users = new Map<string, UserPresence>();

  constructor(private readonly debounceMs: number) {}

  /** Resumes the sessions a previous owner of the shard had announced. */
  restore(snapshot: PresenceSnapshot | undefined): void {
    for (const [userId, game] of Object.entries(snapshot ?? {})) this.users.set(userId, { playing: { ...game } });
  }

  snapshot(limit = 10_000): PresenceSnapshot {
    const snapshot: PresenceSnapshot = {};
    let count = 0;
    for (const [userId, presence] of this.users) {
      if (!presence.playing || count++ >= limit) continue;
      const { key, name, applicationId, startedAt } = presence.playing;
      snapshot[userId] = { key, name, ...(applicationId ? { applicationId } : {}), startedAt };
    }
    return snapshot;
  }

  /** A PRESENCE_UPDATE (or a presence in GUILD_CREATE) for `userId`, seen at `now`. */
  observe(userId: string, activities: readonly PresenceActivity[] | undefined, now: number, guildId?: string): void {
    const game = playingOf(activities, now, guildId);
    const presence = this.users.get(userId) ?? {};
    if (game) {
      if (presence.playing?.key === game.key) {
        // Still (or again) the announced game: a short gap was no end.
        delete presence.stoppedAt;
        delete presence.candidate;
      } else {
        if (presence.playing && presence.stoppedAt === undefined) presence.stoppedAt = now;
        if (presence.candidate?.game.key !== game.key) presence.candidate = { game, since: now };
      }
    } else {
      delete presence.candidate;
      if (presence.playing && presence.stoppedAt === undefined) presence.stoppedAt = now;
    }
    if (presence.playing || presence.candidate) this.users.set(userId, presence);
    else this.users.delete(userId);
  }

  /** Sessions whose start or end has now held for the debounce, as events. */
  due(now: number): NormalizedEvent[] {
    const events: NormalizedEvent[] = [];
    for (const [userId, presence] of this.users) {
      if (presence.playing && presence.stoppedAt !== undefined && now - presence.stoppedAt >= this.debounceMs) {
        events.push(ended(userId, presence.playing, presence.stoppedAt));
        delete presence.playing;
        delete presence.stoppedAt;
      }
      if (!presence.playing && presence.candidate && now - presence.candidate.since >= this.debounceMs) {
        presence.playing = presence.candidate.game;
        delete presence.candidate;
        events.push(started(userId, presence.playing));
      }
      if (!presence.playing && !presence.candidate) this.users.delete(userId);
    }
    return events;
  }

  get tracked(): number {
    return this.users.size;
  }
}

function playingOf(activities: readonly PresenceActivity[] | undefined, now: number, guildId: string | undefined): Game | null {
  const activity = (activities ?? []).find((candidate) => candidate.type === PLAYING && typeof candidate.name === 'string' && candidate.name.trim());
  if (!activity) return null;
  const name = activity.name!.trim().slice(0, 200);
  const startedAt = validMs(activity.timestamps?.start) ?? validMs(activity.created_at) ?? now;
  return {
    key: activity.application_id ? `app:${activity.application_id}` : `name:${name.toLowerCase()}`,
    name,
    ...(activity.application_id ? { applicationId: activity.application_id } : {}),
    startedAt,
    ...(guildId ? { guildId } : {}),
    ...(typeof activity.details === 'string' ? { details: activity.details.slice(0, 200) } : {}),
    ...(typeof activity.state === 'string' ? { state: activity.state.slice(0, 200) } : {}),
  };
}

function validMs(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 1_000_000_000_000 && value < 10_000_000_000_000 ? value : undefined;
}

function gameObject(game: Game) {
  return { type: 'Game', id: game.applicationId ? `discord:application:${game.applicationId}` : `discord:game:${game.key.slice(5)}`, name: game.name };
}

function started(userId: string, game: Game): NormalizedEvent {
  return {
    source: 'discord',
    sourceEventId: `discord:game:${userId}:${game.key}:${game.startedAt}:started`,
    type: 'discord.game.started',
    externalAccountId: userId,
    actor: { type: 'Person', id: `discord:user:${userId}` },
    object: gameObject(game),
    occurredAt: new Date(game.startedAt),
    payload: {
      game: game.name,
      ...(game.applicationId ? { applicationId: game.applicationId } : {}),
      ...(game.details ? { details: game.details } : {}),
      ...(game.state ? { state: game.state } : {}),
      ...(game.guildId ? { guildId: game.guildId } : {}),
    },
  };
}

function ended(userId: string, game: Game, endedAt: number): NormalizedEvent {
  return {
    source: 'discord',
    sourceEventId: `discord:game:${userId}:${game.key}:${game.startedAt}:ended`,
    type: 'discord.game.ended',
    externalAccountId: userId,
    actor: { type: 'Person', id: `discord:user:${userId}` },
    object: gameObject(game),
    occurredAt: new Date(endedAt),
    payload: {
      game: game.name,
      ...(game.applicationId ? { applicationId: game.applicationId } : {}),
      startedAt: new Date(game.startedAt).toISOString(),
      durationSeconds: Math.max(0, Math.round((endedAt - game.startedAt) / 1000)),
      durationMinutes: Math.max(0, Math.floor((endedAt - game.startedAt) / 60_000)),
    },
  };
}
