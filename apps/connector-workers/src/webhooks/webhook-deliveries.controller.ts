import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { consumerBinding, KafkaEventContext, Topic, type WebhookReceivedV1 } from '@activity/messaging';
import { IngestDelivery } from '@activity/use-cases';
import { CONSUMER_GROUPS } from '../consumer-groups';

/** Verified deliveries from ingest-gateway become feed events. */
@Controller()
export class WebhookDeliveriesController {
  constructor(@Inject(IngestDelivery) private readonly ingest: IngestDelivery) {}

  @EventPattern(Topic.WebhookReceived, consumerBinding({ group: CONSUMER_GROUPS.webhooks }))
  async onDelivery(@Payload() payload: WebhookReceivedV1, @Ctx() context: KafkaEventContext): Promise<void> {
    await this.ingest.handle(payload, context.event);
  }
}
