import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { FeedNotifier } from './feed-notifier';

const CHANNEL = 'activity:feed-read';

/**
 * Tells every feed-api instance that a user's read marker moved (or their notifications were
 * marked), so the badges on the user's other open devices update at once. Redis pub/sub when configured; otherwise (one instance)
 * the local notifier directly.
 */
export class ReadBroadcast {
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis | null,
    private readonly notifier: FeedNotifier,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.redis) return;
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'read broadcast subscriber error'));
    subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const { tenantId, userId, what } = JSON.parse(raw) as { tenantId: string; userId: string; what?: 'read' | 'notifications' };
        this.notifier.notify(tenantId, userId, { kind: what === 'notifications' ? 'notifications' : 'read' });
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'ignored a malformed read broadcast');
      }
    });
    this.subscriber = subscriber;
    // Not awaited: with Redis away the service still starts (reads go to PostgreSQL); ioredis
    // subscribes once it connects, and again after every reconnect.
    subscriber.subscribe(CHANNEL).catch((error: Error) => this.logger.warn({ err: error.message }, 'read broadcast not subscribed yet; retrying in the background'));
  }

  /** `what`: the feed's read state moved, or the user's notifications were marked seen or read. */
  async publish(tenantId: string, userId: string, what: 'read' | 'notifications' = 'read'): Promise<void> {
    if (this.redis && this.subscriber) {
      try {
        await this.redis.publish(CHANNEL, JSON.stringify({ tenantId, userId, what }));
        return;
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'read broadcast failed; notifying this instance only');
      }
    }
    this.notifier.notify(tenantId, userId, { kind: what });
  }

  async stop(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}
