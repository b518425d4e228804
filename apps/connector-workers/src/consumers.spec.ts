import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { type AccountLinkedV1, bindingOf, KafkaBatchContext, type SyncRequestedV1, Topic, type WebhookReceivedV1 } from '@activity/messaging';
import type { IngestDelivery, ReconcileSubscriptions, RequestInitialSync, RunSync } from '@activity/use-cases';
import { LinkPreviewRequestsController } from './link-previews/link-preview-requests.controller';
import { SyncRequestsController } from './sync/sync-requests.controller';
import { WebhookDeliveriesController } from './webhooks/webhook-deliveries.controller';

const patternOf = (controller: { prototype: object }, method: string) => {
  const handler = (controller.prototype as Record<string, object>)[method]!;
  return { topics: Reflect.getMetadata(PATTERN_METADATA, handler) as string[], binding: bindingOf(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, handler)) };
};

describe('connector-workers consumers', () => {
  it.each([
    [WebhookDeliveriesController, 'onDeliveries', Topic.WebhookReceived, 'connector-workers.webhooks'],
    [SyncRequestsController, 'onSyncRequested', Topic.SyncRequested, 'connector-workers.sync'],
    [SyncRequestsController, 'onAccountLinked', Topic.AccountLinked, 'connector-workers.links'],
    [LinkPreviewRequestsController, 'onLinkPreviewRequested', Topic.LinkPreviewRequested, 'connector-workers.link-previews'],
  ] as const)('%p.%s is an @EventPattern handler of %s in group %s', (controller, method, topic, group) => {
    const { topics, binding } = patternOf(controller, method);
    expect(topics).toEqual([topic]);
    expect(binding).toMatchObject({ group });
    expect(binding?.broadcast).toBeFalsy();
  });

  it('hands each message to its use case with the tenant from the CloudEvent', async () => {
    const calls: unknown[] = [];
    const ingest = {
      handleBatch: async (deliveries: Array<{ payload: WebhookReceivedV1; event: { tenantId: string } }>) =>
        void calls.push(...deliveries.map(({ payload, event }) => ['ingest', payload.deliveryId, event.tenantId])),
    } as unknown as IngestDelivery;
    const payload = { connector: 'minecraft', sourceId: 's', deliveryId: 'd-1', receivedAt: new Date().toISOString(), body: {} };
    const event = { id: 'ce-1', type: 'dev.activity.webhook.received.v1', source: '/t', tenantId: 'tenant-a', time: new Date().toISOString(), specversion: '1.0' };
    const message = { topic: Topic.WebhookReceived, partition: 0, offset: '1', key: null, event: event as never, payload };
    await new WebhookDeliveriesController(ingest).onDeliveries([payload], new KafkaBatchContext([message]));

    const sync = { runMany: async (requests: SyncRequestedV1[]) => void calls.push(...requests.map((request) => ['sync', request.accountLinkId])) } as unknown as RunSync;
    const initial = { handle: async (linked: AccountLinkedV1) => void calls.push(['initial', linked.accountLinkId]) } as unknown as RequestInitialSync;
    const subscriptions = { removeAll: async (tenantId: string, linkId: string) => void calls.push(['unsubscribe', linkId, tenantId]) } as unknown as ReconcileSubscriptions;
    const controller = new SyncRequestsController(sync, initial, subscriptions);
    await controller.onSyncRequested([{ tenantId: 'tenant-a', accountLinkId: 'l-1', trigger: 'manual' }]);
    await controller.onAccountLinked({ tenantId: 'tenant-a', userId: 'u', accountLinkId: 'l-2', provider: 'steam', externalId: 'x', status: 'active' });
    await controller.onAccountLinked({ tenantId: 'tenant-a', userId: 'u', accountLinkId: 'l-3', provider: 'twitch', externalId: 'y', status: 'revoked' });
    expect(calls).toEqual([
      ['ingest', 'd-1', 'tenant-a'],
      ['sync', 'l-1'],
      ['initial', 'l-2'],
      ['unsubscribe', 'l-3', 'tenant-a'],
    ]);
  });
});
