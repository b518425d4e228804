import { Module } from '@nestjs/common';
import { UseCasesModule } from '@activity/use-cases';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

/** Account links: proof of ownership (codes on the platform, OpenID sign-in), admin links, revocation, manual syncs. */
@Module({ imports: [UseCasesModule], controllers: [AccountsController], providers: [AccountsService] })
export class AccountsModule {}
