import { Module } from '@nestjs/common';
import { UseCasesModule } from '@activity/use-cases';
import { InternalEventsController } from './internal-events.controller';
import { InternalUsersController } from './internal-users.controller';

/** First-party events and users' handles from other platform services (HMAC-signed). */
@Module({ imports: [UseCasesModule], controllers: [InternalEventsController, InternalUsersController] })
export class InternalModule {}
