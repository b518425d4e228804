import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CommonConfig } from '@activity/config';
import { AccountLinkStore, DATA_SOURCE, SecretCipher, TenantWebhookSourceStore, UpstreamSubscriptionStore } from '@activity/persistence';
import { LOGGER, SERVICE_CONFIG } from '@activity/platform';
import { RecordActivity } from './activity/record-activity';
import { ConnectorRegistry } from './connectors/connector-registry';
import { LinkAccount } from './linking/link-account';
import { ReconcileSubscriptions } from './subscriptions/reconcile-subscriptions';
import { RequestInitialSync } from './sync/request-initial-sync';
import { RunSync } from './sync/run-sync';
import { IngestDelivery } from './webhooks/ingest-delivery';

const USE_CASES = [RecordActivity, LinkAccount, IngestDelivery, RunSync, RequestInitialSync, ReconcileSubscriptions];

/**
 * The use cases every entry point shares (record activity, link an account, run a sync, ingest a
 * delivery, keep push subscriptions). Needs the service runtime (InfrastructureModule),
 * PersistenceModule and ConnectorsModule.
 */
@Module({
  providers: [
    RecordActivity,
    LinkAccount,
    IngestDelivery,
    RunSync,
    RequestInitialSync,
    {
      provide: ReconcileSubscriptions,
      useFactory: (
        dataSource: DataSource,
        connectors: ConnectorRegistry,
        subscriptions: UpstreamSubscriptionStore,
        links: AccountLinkStore,
        config: CommonConfig,
        logger: Logger,
      ) =>
        new ReconcileSubscriptions(
          dataSource,
          connectors,
          subscriptions,
          new TenantWebhookSourceStore(SecretCipher.fromSettings(config)),
          links,
          config.WEBHOOK_PUBLIC_URL,
          logger.child({ component: 'subscriptions' }),
        ),
      inject: [DATA_SOURCE, ConnectorRegistry, UpstreamSubscriptionStore, AccountLinkStore, SERVICE_CONFIG, LOGGER],
    },
  ],
  exports: USE_CASES,
})
export class UseCasesModule {}
