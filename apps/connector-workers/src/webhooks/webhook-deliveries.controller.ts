import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { consumerBinding, KafkaBatchContext, Topic, type WebhookReceivedV1 } from '@activity/messaging';
import { IngestDelivery } from '@activity/use-cases';
import { CONSUMER_GROUPS } from '../consumer-groups';

/** Verified deliveries from ingest-gateway become feed events, many per transaction. */
@Controller()
export class WebhookDeliveriesController {
  constructor(@Inject(IngestDelivery) private readonly ingest: IngestDelivery) {}

  @EventPattern(Topic.WebhookReceived, consumerBinding({ group: CONSUMER_GROUPS.webhooks, batch: 200 }))
  async onDeliveries(@Payload() _payloads: WebhookReceivedV1[], @Ctx() context: KafkaBatchContext<typeof Topic.WebhookReceived>): Promise<void> {
    await this.ingest.handleBatch(context.messages.map((message) => ({ payload: message.payload, event: message.event })));
  }
}
