import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { LinkPreview } from '@activity/domain';
import { announce, MessageKey, Topic, type LinkPreviewRequestedV1 } from '@activity/messaging';
import { ActivityEventStore, DATA_SOURCE, inTenantTransaction, OutboxStore } from '@activity/persistence';
import { LOGGER } from '@activity/platform';

/** Makes a link's preview (safely, with caching); `null` when there is none to show. */
export interface LinkPreviewer {
  previewOf(url: string): Promise<LinkPreview | null>;
}

export const LINK_PREVIEWER = Symbol('LINK_PREVIEWER');

const SOURCE = '/connector-workers';

/**
 * The previews of a stored event's links: fetched outside any transaction, then attached to the
 * event with a `feed.item.updated` announcement in one tenant transaction, so real-time clients
 * re-read exactly what was stored. A redelivered request fetches from the cache and writes the
 * same previews again.
 */
@Injectable()
export class AttachLinkPreviews {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ActivityEventStore) private readonly events: ActivityEventStore,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
    @Inject(LINK_PREVIEWER) private readonly previewer: LinkPreviewer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(request: LinkPreviewRequestedV1): Promise<void> {
    const previews: LinkPreview[] = [];
    for (const url of request.urls) {
      const preview = await this.previewer.previewOf(url);
      if (preview) previews.push(preview);
    }
    if (previews.length === 0) {
      this.logger.info({ eventId: request.eventId, links: request.urls.length }, 'no link previews for the event');
      return;
    }
    await inTenantTransaction(this.dataSource, request.tenantId, async (tx) => {
      const owner = await this.events.attachLinkPreviews(tx, request.eventId, previews);
      if (!owner) return;
      await this.outbox.enqueue(tx, [
        announce(
          Topic.FeedItemUpdated,
          request.tenantId,
          MessageKey.event(request.tenantId, request.eventId),
          { tenantId: request.tenantId, userId: owner.userId, eventId: request.eventId, change: 'link_previews' },
          { source: SOURCE, subject: request.eventId },
        ),
      ]);
    });
    this.logger.info({ eventId: request.eventId, previews: previews.length }, 'link previews attached');
  }
}
