import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import WebSocket from 'ws';
import type { GatewayShard } from '@activity/connector-sdk';
import { metricsRegistry } from '@activity/observability';

const gatewayConnections = new Counter({
  name: 'discord_gateway_sessions_total',
  help: 'Discord Gateway connections by how they began (identify, resume) and how they ended',
  labelNames: ['start', 'end'] as const,
  registers: [metricsRegistry],
});

/** GUILDS (1 << 0) and the privileged GUILD_PRESENCES (1 << 8). */
export const DISCORD_INTENTS = (1 << 0) | (1 << 8);

const OP = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, reconnect: 7, invalidSession: 9, hello: 10, heartbeatAck: 11 } as const;

/** Close codes after which reconnecting cannot help (bad token, bad shard, intents not allowed). */
const FATAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);
/** Close codes after which the session is gone: identify anew. */
const SESSION_LOST_CLOSE_CODES = new Set([4007, 4009]);
/** Any code but 1000/1001 keeps the session resumable (those two end it on Discord's side). */
const RESUMABLE_CLOSE = 4000;

/** What a shard keeps across reconnects and owners, to RESUME instead of identifying again. */
export interface DiscordSessionState {
  sessionId?: string;
  resumeUrl?: string;
  seq?: number;
}

export interface DiscordGatewaySessionOptions {
  readonly url: string;
  readonly token: string;
  readonly intents: number;
  /** Reconnect backoff: doubles from the base with jitter, capped; reset once a session is ready. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** After INVALID_SESSION (not resumable), Discord asks for a random 1–5 s wait before identifying. */
  readonly invalidSessionWaitMs: readonly [number, number];
  /** The first heartbeat goes after `heartbeat_interval * jitter` (Discord's rule); injectable for tests. */
  readonly jitter?: () => number;
}

export interface DiscordDispatchHandler {
  /** A dispatch (op 0) by name (`PRESENCE_UPDATE`, `GUILD_CREATE`, ...). */
  dispatch(type: string, data: unknown): void;
  /** The session changed (ready, resumed, a new sequence at a heartbeat): worth saving. */
  checkpoint(state: DiscordSessionState): Promise<void>;
}

interface Frame {
  readonly op: number;
  readonly d?: unknown;
  readonly s?: number | null;
  readonly t?: string | null;
}

/** How one connection ended, and what the next should do. */
interface ConnectionEnd {
  readonly reason: string;
  readonly code?: number;
  /** The session survives: the next connection RESUMEs. */
  readonly resumable: boolean;
  /** Reconnecting cannot help. */
  readonly fatal?: boolean;
  /** The connection reached READY or RESUMED (the backoff starts over). */
  readonly established: boolean;
}

/**
 * One Discord Gateway shard, kept connected until `signal` aborts: HELLO → IDENTIFY (or RESUME
 * with the saved session id and sequence at the `resume_gateway_url`), heartbeats every
 * `heartbeat_interval` with the first one jittered, a heartbeat without ACK before the next one
 * means a dead ("zombied") connection: close it and resume; RECONNECT → resume; INVALID_SESSION →
 * resume if Discord says so, else wait 1–5 s and identify; other closes → reconnect with backoff.
 * Stopping closes with 4000, so the next owner of the shard can still RESUME the session.
 */
export class DiscordGatewaySession {
  private state: DiscordSessionState;

  constructor(
    private readonly options: DiscordGatewaySessionOptions,
    private readonly shard: GatewayShard,
    initial: DiscordSessionState,
    private readonly handler: DiscordDispatchHandler,
    private readonly logger: Logger,
  ) {
    this.state = { ...initial };
  }

  get session(): Readonly<DiscordSessionState> {
    return this.state;
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const end = await this.connectOnce(signal);
      if (signal.aborted) return;
      if (end.fatal) throw new Error(`Discord closed the Gateway for good (${end.code}: ${end.reason})`);
      if (!end.resumable) this.state = {};
      failures = end.established ? 0 : failures + 1;
      const delay = failures === 0 ? 0 : Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
      this.logger.info(
        { shard: this.shard.id, reason: end.reason, code: end.code, resume: Boolean(this.state.sessionId), delayMs: Math.round(delay) },
        'Discord Gateway reconnecting',
      );
      if (delay > 0) await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }

  private connectOnce(signal: AbortSignal): Promise<ConnectionEnd> {
    const resuming = Boolean(this.state.sessionId && this.state.seq !== undefined);
    const base = resuming && this.state.resumeUrl ? this.state.resumeUrl : this.options.url;
    const url = new URL(base);
    url.searchParams.set('v', '10');
    url.searchParams.set('encoding', 'json');
    return new Promise<ConnectionEnd>((resolve) => {
      const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
      let heartbeat: NodeJS.Timeout | undefined;
      let acknowledged = true;
      let established = false;
      let outcome: Omit<ConnectionEnd, 'established'> | undefined;
      const send = (frame: Frame) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
      };
      const beat = () => send({ op: OP.heartbeat, d: this.state.seq ?? null });
      const close = (end: Omit<ConnectionEnd, 'established'>) => {
        outcome ??= end;
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(RESUMABLE_CLOSE, end.reason.slice(0, 100));
      };
      const stop = () => close({ reason: 'stopping', resumable: true });
      signal.addEventListener('abort', stop, { once: true });

      socket.on('message', (raw: WebSocket.RawData) => {
        let frame: Frame;
        try {
          frame = JSON.parse(raw.toString()) as Frame;
        } catch {
          return close({ reason: 'unreadable frame', resumable: true });
        }
        if (typeof frame.s === 'number') this.state.seq = frame.s;
        switch (frame.op) {
          case OP.hello: {
            const interval = Number((frame.d as { heartbeat_interval?: unknown } | undefined)?.heartbeat_interval);
            if (!Number.isFinite(interval) || interval <= 0) return close({ reason: 'HELLO without heartbeat_interval', resumable: true });
            const first = setTimeout(
              () => {
                beat();
                acknowledged = false;
                heartbeat = setInterval(() => {
                  if (!acknowledged) return close({ reason: 'heartbeat not acknowledged', resumable: true });
                  acknowledged = false;
                  beat();
                }, interval);
              },
              interval * (this.options.jitter ?? Math.random)(),
            );
            heartbeat = first;
            if (resuming) send({ op: OP.resume, d: { token: this.options.token, session_id: this.state.sessionId, seq: this.state.seq } });
            else
              send({
                op: OP.identify,
                d: {
                  token: this.options.token,
                  intents: this.options.intents,
                  shard: [this.shard.id, this.shard.count],
                  properties: { os: process.platform, browser: 'activity-service', device: 'activity-service' },
                },
              });
            return;
          }
          case OP.heartbeatAck:
            acknowledged = true;
            void this.handler.checkpoint(this.state).catch((error: Error) => this.logger.warn({ err: error.message }, 'could not save the Gateway session'));
            return;
          case OP.heartbeat:
            return beat();
          case OP.reconnect:
            return close({ reason: 'Discord asked to reconnect', resumable: true });
          case OP.invalidSession: {
            const resumable = frame.d === true;
            if (resumable) return close({ reason: 'invalid session (resumable)', resumable: true });
            const [min, max] = this.options.invalidSessionWaitMs;
            // Discord: wait 1-5 s, then identify anew; the old session and its sequence are gone.
            this.state = {};
            void sleep(min + Math.random() * (max - min), undefined, { signal })
              .catch(() => undefined)
              .then(() => close({ reason: 'invalid session', resumable: false }));
            return;
          }
          case OP.dispatch: {
            if (frame.t === 'READY') {
              const ready = frame.d as { session_id?: string; resume_gateway_url?: string };
              this.state = {
                ...(ready.session_id ? { sessionId: ready.session_id } : {}),
                ...(ready.resume_gateway_url ? { resumeUrl: ready.resume_gateway_url } : {}),
                seq: this.state.seq ?? 0,
              };
              established = true;
              gatewayConnections.inc({ start: 'identify', end: 'open' });
              this.logger.info({ shard: this.shard.id, sessionId: ready.session_id }, 'Discord Gateway ready');
              void this.handler.checkpoint(this.state).catch(() => undefined);
            } else if (frame.t === 'RESUMED') {
              established = true;
              gatewayConnections.inc({ start: 'resume', end: 'open' });
              this.logger.info({ shard: this.shard.id, seq: this.state.seq }, 'Discord Gateway resumed');
              void this.handler.checkpoint(this.state).catch(() => undefined);
            }
            if (frame.t) {
              try {
                this.handler.dispatch(frame.t, frame.d);
              } catch (error) {
                this.logger.warn({ err: (error as Error).message, type: frame.t }, 'a Gateway dispatch could not be handled; skipped');
              }
            }
            return;
          }
          default:
            return;
        }
      });
      socket.on('error', (error: Error) => close({ reason: `socket error: ${error.message}`, resumable: true }));
      socket.on('close', (code: number, reason: Buffer) => {
        clearTimeout(heartbeat);
        clearInterval(heartbeat);
        signal.removeEventListener('abort', stop);
        const said = reason.toString() || `closed with ${code}`;
        const end: Omit<ConnectionEnd, 'established'> = outcome ?? {
          reason: said,
          code,
          resumable: !SESSION_LOST_CLOSE_CODES.has(code) && code !== 1000 && code !== 1001,
          fatal: FATAL_CLOSE_CODES.has(code),
        };
        gatewayConnections.inc({ start: resuming ? 'resume' : 'identify', end: end.fatal ? 'fatal' : end.resumable ? 'resumable' : 'lost' });
        resolve({ ...end, code, established });
      });
    });
  }
}
