import type { Logger } from 'pino';
import type { GatewayConnection, GatewayShard, GatewaySink, NormalizedEvent } from '@activity/connector-sdk';
import { DiscordGatewaySession, DISCORD_INTENTS, type DiscordSessionState } from './discord-gateway-session';
import type { DiscordRestClient } from './discord-rest-client';
import { PresenceSessions, type PresenceActivity, type PresenceSnapshot } from './presence-sessions';

export interface DiscordGatewayOptions {
  readonly botToken: string;
  /** Fixed Gateway URL and shard count; otherwise `GET /gateway/bot` says. */
  readonly url?: string;
  readonly shardCount?: number;
  readonly debounceMs: number;
  /** How often settled sessions are looked for (a fraction of the debounce). */
  readonly flushIntervalMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly invalidSessionWaitMs?: readonly [number, number];
}

/** Kept for a retry while the database is away; beyond this the oldest go (presence is ephemeral news). */
const MAX_UNSENT = 5_000;

interface PresenceUpdate {
  readonly user?: { readonly id?: string };
  readonly guild_id?: string;
  readonly status?: string;
  readonly activities?: readonly PresenceActivity[];
}

/**
 * Game presence through the Discord Gateway: the bot identifies with GUILDS and the privileged
 * GUILD_PRESENCES intent, one session per shard (connector-workers give each shard one owner
 * across replicas); presences of users linked in a tenant become `discord.game.started` /
 * `discord.game.ended` there, through PresenceSessions' debounce. Users nobody linked produce
 * nothing (the sink drops them).
 */
export class DiscordGateway implements GatewayConnection {
  private discovered: { url: string; shards: number } | undefined;

  constructor(
    private readonly options: DiscordGatewayOptions,
    private readonly rest: DiscordRestClient,
    private readonly logger: Logger,
  ) {}

  async shardCount(): Promise<number> {
    if (this.options.shardCount) return this.options.shardCount;
    return (await this.discover()).shards;
  }

  async run(shard: GatewayShard, saved: Record<string, unknown>, sink: GatewaySink, signal: AbortSignal): Promise<void> {
    const url = this.options.url ?? (await this.discover()).url;
    const presences = new PresenceSessions(this.options.debounceMs);
    presences.restore(saved['presence'] as PresenceSnapshot | undefined);
    const save = (state: DiscordSessionState) => sink.saveState({ ...state, presence: presences.snapshot() });
    const session = new DiscordGatewaySession(
      {
        url,
        token: this.options.botToken,
        intents: DISCORD_INTENTS,
        backoffBaseMs: this.options.backoffBaseMs ?? 1_000,
        backoffMaxMs: this.options.backoffMaxMs ?? 60_000,
        invalidSessionWaitMs: this.options.invalidSessionWaitMs ?? [1_000, 5_000],
      },
      shard,
      sessionStateOf(saved),
      {
        dispatch: (type, data) => {
          if (type === 'PRESENCE_UPDATE') observe(presences, data as PresenceUpdate);
          else if (type === 'GUILD_CREATE') {
            const guild = data as { id?: string; presences?: PresenceUpdate[] };
            for (const presence of guild.presences ?? []) observe(presences, { ...presence, ...(guild.id ? { guild_id: guild.id } : {}) });
          }
        },
        checkpoint: save,
      },
      this.logger,
    );
    let flushing = Promise.resolve();
    // Events the database did not take yet (it may be restarting): they go with the next flush.
    let unsent: NormalizedEvent[] = [];
    const flush = () => {
      flushing = flushing.then(async () => {
        const events = [...unsent, ...presences.due(Date.now())];
        unsent = [];
        if (!events.length) return;
        try {
          await sink.emitToLinked('discord', events);
          // Checkpoint at once: a new owner must know which sessions were announced (to end them).
          await save(session.session);
        } catch (error) {
          unsent = events.slice(-MAX_UNSENT);
          this.logger.warn({ err: (error as Error).message, shard: shard.id, unsent: unsent.length }, 'presence events could not be stored; retrying with the next flush');
        }
      });
    };
    const timer = setInterval(flush, this.options.flushIntervalMs ?? Math.max(50, Math.min(1_000, this.options.debounceMs / 4)));
    try {
      await session.run(signal);
    } finally {
      clearInterval(timer);
      flush();
      await flushing;
      await save(session.session).catch(() => undefined);
    }
  }

  private async discover(): Promise<{ url: string; shards: number }> {
    if (!this.discovered) {
      const bot = await this.rest.gatewayBot(this.options.botToken);
      this.discovered = { url: this.options.url ?? bot.url, shards: this.options.shardCount ?? Math.max(1, bot.shards) };
    }
    return this.discovered;
  }
}

function observe(presences: PresenceSessions, update: PresenceUpdate): void {
  const userId = update.user?.id;
  if (!userId || !/^\d{1,20}$/.test(userId)) return;
  // Offline users have no activities; an invisible user looks the same.
  presences.observe(userId, update.status === 'offline' ? [] : update.activities, Date.now(), update.guild_id);
}

function sessionStateOf(saved: Record<string, unknown>): DiscordSessionState {
  return {
    ...(typeof saved['sessionId'] === 'string' ? { sessionId: saved['sessionId'] } : {}),
    ...(typeof saved['resumeUrl'] === 'string' ? { resumeUrl: saved['resumeUrl'] } : {}),
    ...(typeof saved['seq'] === 'number' ? { seq: saved['seq'] } : {}),
  };
}
