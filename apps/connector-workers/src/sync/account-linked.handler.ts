import type { DataSource } from 'typeorm';
import type { ConnectorRegistry } from '@activity/connectors';
import { announce, MessageKey, Topic, type AccountLinkedV1 } from '@activity/messaging';
import type { OutboxStore } from '@activity/persistence';
import { childTraceparent } from '@activity/observability';

/** A new link of a syncing connector gets its initial sync: enqueue `sync.requested` (trigger `linked`). */
export class AccountLinkedHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly outbox: OutboxStore,
  ) {}

  async handle(event: AccountLinkedV1): Promise<void> {
    if (event.status !== 'active' || !this.connectors.get(event.provider)?.describe().canSync) return;
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
