import { Client } from 'pg';
import type { Logger } from 'pino';

export interface PgChannelListenerOptions {
  readonly databaseUrl: string;
  readonly channel: string;
  readonly applicationName: string;
  /** Each NOTIFY on the channel, with its payload. */
  readonly onNotify: (payload: string) => void;
  /**
   * After every (re)connection: notifications sent while disconnected are lost, so whoever relies
   * on them catches up here (re-reads, or drops a cache).
   */
  readonly onListening?: () => void;
  readonly reconnectDelayMs?: number;
}

/**
 * A dedicated connection that LISTENs on one channel. LISTEN needs a session of its own, so this
 * must be a direct connection, never one through PgBouncer in transaction mode. What it drives
 * is a shortcut only (waking the relay, dropping a cache entry): if it drops, callers fall back
 * to polling or expiry, and it reconnects in the background.
 */
export class PgChannelListener {
  private client: Client | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: PgChannelListenerOptions,
    private readonly logger: Logger,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`"${options.channel}" is not a plain channel name`);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const { channel } = this.options;
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: this.options.applicationName, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => {
      if (message.channel === channel) this.options.onNotify(message.payload ?? '');
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error.message, channel }, 'LISTEN connection lost; falling back until it is back');
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.options.onListening?.();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, channel }, 'LISTEN unavailable; falling back until it is back');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.options.reconnectDelayMs ?? 2_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
