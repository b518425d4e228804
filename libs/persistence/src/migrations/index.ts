import { InitialSchema1764140000000 } from './1764140000000-initial-schema';
import { ApplicationRole1764150000000 } from './1764150000000-application-role';
import { OutboxShards1764160000000 } from './1764160000000-outbox-shards';
import { SyncScheduling1764170000000 } from './1764170000000-sync-scheduling';
import { AccountLinkClaims1764180000000 } from './1764180000000-account-link-claims';
import { GatewayShardStates1764190000000 } from './1764190000000-gateway-shard-states';
import { OutboxAutovacuum1764200000000 } from './1764200000000-outbox-autovacuum';
import { WebhookSourceNotify1764210000000 } from './1764210000000-webhook-source-notify';
import { TenantArrivalIndex1764220000000 } from './1764220000000-tenant-arrival-index';
import { WebhookSourceIsolation1764230000000 } from './1764230000000-webhook-source-isolation';
import { CustomWebhookSources1764240000000 } from './1764240000000-custom-webhook-sources';
import { FeedSearch1764250000000 } from './1764250000000-feed-search';
import { FeedSearchCandidates1764260000000 } from './1764260000000-feed-search-candidates';
import { LinkPreviews1764270000000 } from './1764270000000-link-previews';
import { DiscordSupport1764280000000 } from './1764280000000-discord-support';
import { UpstreamSubscriptions1764290000000 } from './1764290000000-upstream-subscriptions';
import { FeedAggregation1764300000000 } from './1764300000000-feed-aggregation';
import { MentionNotifications1764310000000 } from './1764310000000-mention-notifications';

/** Every migration, oldest first. Add new ones at the end; never edit a published one. */
export const MIGRATIONS = [
  InitialSchema1764140000000,
  ApplicationRole1764150000000,
  OutboxShards1764160000000,
  SyncScheduling1764170000000,
  AccountLinkClaims1764180000000,
  GatewayShardStates1764190000000,
  OutboxAutovacuum1764200000000,
  WebhookSourceNotify1764210000000,
  TenantArrivalIndex1764220000000,
  WebhookSourceIsolation1764230000000,
  CustomWebhookSources1764240000000,
  FeedSearch1764250000000,
  FeedSearchCandidates1764260000000,
  LinkPreviews1764270000000,
  DiscordSupport1764280000000,
  UpstreamSubscriptions1764290000000,
  FeedAggregation1764300000000,
  MentionNotifications1764310000000,
];
