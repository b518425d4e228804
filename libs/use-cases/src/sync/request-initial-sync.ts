import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { announce, MessageKey, Topic, type AccountLinkedV1 } from '@activity/messaging';
import { childTraceparent } from '@activity/observability';
import { DATA_SOURCE, OutboxStore } from '@activity/persistence';
import { ConnectorRegistry } from '../connectors/connector-registry';

/** A new link of a syncing connector gets its initial sync: enqueue `sync.requested` (trigger `linked`). */
@Injectable()
export class RequestInitialSync {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
    @Inject(OutboxStore) private readonly outbox: OutboxStore,
  ) {}

  async handle(event: AccountLinkedV1): Promise<void> {
    if (event.status !== 'active' || !this.connectors.get(event.provider)?.syncs) return;
    await this.dataSource.transaction((manager) =>
      this.outbox.enqueue(manager, [
        announce(
          Topic.SyncRequested,
          event.tenantId,
          MessageKey.accountLink(event.tenantId, event.accountLinkId),
          { tenantId: event.tenantId, accountLinkId: event.accountLinkId, trigger: 'linked' },
          { source: '/connector-workers', subject: event.accountLinkId, traceparent: childTraceparent() },
        ),
      ]),
    );
  }
}
