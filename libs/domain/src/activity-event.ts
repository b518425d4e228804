import type { LinkPreview } from './event-links';
/**
 * The normalised event every connector produces, in Activity Streams 2.0 vocabulary
 * (actor / object / target). `sourceEventId` is the connector's stable id for the event and,
 * with tenant and source, the durable dedupe key.
 */
export interface ActivityObject {
  /** AS2 type, e.g. "Person", "Game", "Achievement", "Server". */
  readonly type: string;
  readonly id: string;
  readonly name?: string;
  readonly url?: string;
}

export interface NewActivityEvent {
  readonly tenantId: string;
  /** Feed owner; null keeps the event on the tenant feed only (e.g. an unlinked player). */
  readonly userId: string | null;
  readonly source: string;
  readonly sourceEventId: string;
  readonly type: string;
  readonly actor: ActivityObject;
  readonly object?: ActivityObject;
  readonly target?: ActivityObject;
  readonly occurredAt: Date;
  readonly payload: Record<string, unknown>;
}

export interface ActivityEvent extends NewActivityEvent {
  readonly id: string;
  readonly receivedAt: Date;
  /** Previews of the links in its text, once connector-workers fetched them. */
  readonly linkPreviews?: readonly LinkPreview[];
}
