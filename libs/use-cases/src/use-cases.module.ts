import { Module } from '@nestjs/common';
import { RecordActivity } from './activity/record-activity';
import { LinkAccount } from './linking/link-account';
import { RequestInitialSync } from './sync/request-initial-sync';
import { RunSync } from './sync/run-sync';
import { IngestDelivery } from './webhooks/ingest-delivery';

const USE_CASES = [RecordActivity, LinkAccount, IngestDelivery, RunSync, RequestInitialSync];

/**
 * The use cases every entry point shares (record activity, link an account, run a sync, ingest a
 * delivery). Needs the service runtime (InfrastructureModule), PersistenceModule and ConnectorsModule.
 */
@Module({ providers: USE_CASES, exports: USE_CASES })
export class UseCasesModule {}
