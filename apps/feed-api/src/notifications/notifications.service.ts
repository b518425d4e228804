import type { Principal } from '@activity/auth';
import { DomainError, type ActivityObject, type Locale, type SignedCursorCodec } from '@activity/domain';
import { messages } from '@activity/i18n';
import type { NotificationSelection, NotificationStore, StoredNotification } from '@activity/persistence';
import type { ReadBroadcast } from '../realtime/read-broadcast';
import type { MarkNotificationsDto, NotificationsQueryDto } from './notifications.dto';

const COUNT_CAP = 1000;

export interface NotificationItem {
  id: string;
  kind: 'mention';
  createdAt: string;
  /** The event that mentions the user. */
  eventId: string;
  actor: ActivityObject;
  excerpt: string;
  /** "bob mentioned you: “…”", in the reader's language. */
  summary: string;
  seen: boolean;
  read: boolean;
}

export interface NotificationCounts {
  unseen: number | string;
  unread: number | string;
  capped: boolean;
}

/**
 * A user's notification feed (newest first, keyset by id), its unseen and unread counts, and
 * marking seen or read (one, up to a cursor, all): the user's other open clients get the new
 * counts at once (SSE `notification.counts`, through the read broadcast).
 */
export class NotificationsService {
  constructor(
    private readonly store: NotificationStore,
    private readonly cursors: SignedCursorCodec,
    private readonly broadcast: ReadBroadcast,
  ) {}

  async page(principal: Principal, query: NotificationsQueryDto, locale: Locale): Promise<{ items: NotificationItem[]; nextCursor: string | null; headCursor: string | null }> {
    const before = query.cursor ? this.idOf(principal, query.cursor) : undefined;
    const rows = await this.store.page(principal.tenantId, principal.userId, query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((row) => toNotificationItem(row, locale)),
      nextCursor: rows.length > query.limit && page.length ? this.cursorOf(principal, page.at(-1)!.id) : null,
      headCursor: page.length ? this.cursorOf(principal, page[0]!.id) : null,
    };
  }

  async item(principal: Principal, id: string, locale: Locale): Promise<NotificationItem | undefined> {
    const row = await this.store.byId(principal.tenantId, principal.userId, id);
    return row && toNotificationItem(row, locale);
  }

  async counts(principal: Principal): Promise<NotificationCounts> {
    const { unseen, unread } = await this.store.counts(principal.tenantId, principal.userId, COUNT_CAP);
    const shown = (value: number) => (value > COUNT_CAP ? `${COUNT_CAP}+` : value);
    return { unseen: shown(unseen), unread: shown(unread), capped: unseen > COUNT_CAP || unread > COUNT_CAP };
  }

  async mark(principal: Principal, state: 'seen' | 'read', body: MarkNotificationsDto): Promise<{ changed: number; counts: NotificationCounts }> {
    const given = [body.id, body.cursor, body.all].filter((value) => value !== undefined && value !== false);
    if (given.length !== 1) {
      throw new DomainError('validation_failed', {}, [
        { field: 'id', rule: 'exactlyOne', message: 'send exactly one of id, cursor or all: true', messageKey: 'validation.notifications.exactlyOne' },
      ]);
    }
    const selection: NotificationSelection = body.id ? { id: body.id } : body.cursor ? { upTo: this.idOf(principal, body.cursor) } : { all: true };
    const changed = await this.store.mark(principal.tenantId, principal.userId, state, selection);
    if (changed === null) throw new DomainError('not_found', { path: `notification ${body.id}` });
    if (changed > 0) await this.broadcast.publish(principal.tenantId, principal.userId, 'notifications');
    return { changed, counts: await this.counts(principal) };
  }

  private cursorOf(principal: Principal, id: string): string {
    return this.cursors.encode({ i: id }, fingerprint(principal));
  }

  private idOf(principal: Principal, cursor: string): string {
    const { i } = this.cursors.decode(cursor, fingerprint(principal));
    if (typeof i !== 'string' || !/^\d{1,19}$/.test(i)) throw new DomainError('invalid_cursor');
    return i;
  }
}

function fingerprint(principal: Principal): string {
  return JSON.stringify([principal.tenantId, principal.userId, 'notifications']);
}

export function toNotificationItem(row: StoredNotification, locale: Locale): NotificationItem {
  const actor = row.actor.name ?? row.actor.id;
  return {
    id: row.id,
    kind: row.kind,
    createdAt: row.createdAt.toISOString(),
    eventId: row.eventId,
    actor: row.actor,
    excerpt: row.excerpt,
    summary: messages().format(locale, `notifications.${row.kind}`, { actor, excerpt: row.excerpt }) ?? `${actor}: ${row.excerpt}`,
    seen: row.seenAt !== null,
    read: row.readAt !== null,
  };
}
