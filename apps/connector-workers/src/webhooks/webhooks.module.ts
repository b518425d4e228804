import { Module } from '@nestjs/common';
import { UseCasesModule } from '@activity/use-cases';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';

@Module({ imports: [UseCasesModule], controllers: [WebhookDeliveriesController] })
export class WebhooksModule {}
