import { Module } from '@nestjs/common';
import { UseCasesModule } from '@activity/use-cases';
import { InternalEventsController } from './internal-events.controller';

/** First-party events from other platform services (HMAC-signed). */
@Module({ imports: [UseCasesModule], controllers: [InternalEventsController] })
export class InternalModule {}
