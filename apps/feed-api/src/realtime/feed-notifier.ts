import { Gauge } from 'prom-client';
import { metricsRegistry } from '@activity/observability';

/**
 * What woke a waiting client: new events in the feed, the read marker moved (another device), an
 * event in the feed changed, the user was notified, or their notifications were marked seen or read.
 */
export type FeedSignal =
  | { readonly kind: 'updated' }
  | { readonly kind: 'read' }
  | { readonly kind: 'closing' }
  | { readonly kind: 'item'; readonly eventId: string }
  | { readonly kind: 'notification'; readonly notificationId: string }
  | { readonly kind: 'notifications' };

type Listener = (signal: FeedSignal) => void;

const waiters = new Gauge({ name: 'feed_realtime_waiters', help: 'Open long-poll and SSE clients on this instance', registers: [metricsRegistry] });

/**
 * In-process fan-out from "something happened to this user's feed" to that user's open
 * long-poll and SSE clients. Fed by the feed.updated broadcast consumer and by read-marker
 * broadcasts; waiting clients cost nothing until a signal arrives (no database polling).
 */
export class FeedNotifier {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** `userId: null` listens to the whole tenant (tenant-scope clients). Returns the unsubscribe function. */
  subscribe(tenantId: string, userId: string | null, listener: Listener): () => void {
    const key = keyOf(tenantId, userId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    waiters.inc();
    return () => {
      if (set.delete(listener)) waiters.dec();
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** `userId: null`: an event of the tenant feed only, for tenant-scope clients. */
  notify(tenantId: string, userId: string | null, signal: FeedSignal): void {
    const keys = userId === null ? [keyOf(tenantId, null)] : [keyOf(tenantId, userId), ...(signal.kind === 'updated' || signal.kind === 'item' ? [keyOf(tenantId, null)] : [])];
    for (const key of keys) {
      for (const listener of [...(this.listeners.get(key) ?? [])]) listener(signal);
    }
  }

  /** Ends every waiting client (shutdown), so the server can close without waiting for timeouts. */
  closeAll(): void {
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener({ kind: 'closing' });
  }

  get size(): number {
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }
}

function keyOf(tenantId: string, userId: string | null): string {
  return `${tenantId}\u0000${userId ?? '*'}`;
}
