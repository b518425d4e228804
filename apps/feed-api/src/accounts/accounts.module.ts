import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AccountLinkStore, DATA_SOURCE, SecretCipher } from '@activity/persistence';
import { LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { OAuthLinkTokens, UseCasesModule } from '@activity/use-cases';
import type { FeedApiConfig } from '../feed-api.config';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

/** Account links: proof of ownership (codes on the platform, OpenID and OAuth2 sign-in), admin links, revocation, manual syncs. */
@Module({
  imports: [UseCasesModule],
  controllers: [AccountsController],
  providers: [
    AccountsService,
    { provide: SecretCipher, useFactory: (config: FeedApiConfig) => SecretCipher.fromSettings(config), inject: [SERVICE_CONFIG] },
    {
      provide: OAuthLinkTokens,
      useFactory: (dataSource: DataSource, links: AccountLinkStore, cipher: SecretCipher, logger: Logger) =>
        new OAuthLinkTokens(dataSource, links, cipher, logger.child({ component: 'oauth-tokens' })),
      inject: [DATA_SOURCE, AccountLinkStore, SecretCipher, LOGGER],
    },
  ],
})
export class AccountsModule {}
