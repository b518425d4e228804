import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { consumerBinding, Topic, type AccountLinkedV1, type SyncRequestedV1 } from '@activity/messaging';
import { ReconcileSubscriptions, RequestInitialSync, RunSync } from '@activity/use-cases';
import { CONSUMER_GROUPS } from '../consumer-groups';

/** Syncs requested by players, the scheduler and new links. */
@Controller()
export class SyncRequestsController {
  constructor(
    @Inject(RunSync) private readonly sync: RunSync,
    @Inject(RequestInitialSync) private readonly initialSync: RequestInitialSync,
    @Inject(ReconcileSubscriptions) private readonly subscriptions: ReconcileSubscriptions,
  ) {}

  /** In batches: the links of a batch sync concurrently (see RunSync.runMany). */
  @EventPattern(Topic.SyncRequested, consumerBinding({ group: CONSUMER_GROUPS.sync, batch: 20 }))
  async onSyncRequested(@Payload() requests: SyncRequestedV1[]): Promise<void> {
    await this.sync.runMany(requests);
  }

  /** A new link of a syncing connector gets its first sync right away (which also creates its push subscriptions); a revoked one loses its push subscriptions. */
  @EventPattern(Topic.AccountLinked, consumerBinding({ group: CONSUMER_GROUPS.links, concurrency: 2 }))
  async onAccountLinked(@Payload() event: AccountLinkedV1): Promise<void> {
    if (event.status === 'revoked') await this.subscriptions.removeAll(event.tenantId, event.accountLinkId);
    else await this.initialSync.handle(event);
  }
}
