import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  AccessControl, AccessGuard, HttpAccessChecker, InternalRequestVerifier, JwtVerifier, MemoryDecisionCache, MemoryNonceStore, PERMISSION_CHECKER, parseInternalKeys, REQUEST_ADMISSION,
  RedisDecisionCache, StaticPolicyChecker, type NonceStore,
} from '@activity/auth';
import { FeedCursor } from '@activity/domain';
import type { EventPublisher, TopicNames } from '@activity/messaging';
import { AccountLinkClaimStore, AccountLinkStore, ActivityEventStore, FeedReadMarkerStore, OutboxStore, SyncRunStore } from '@activity/persistence';
import { AccountLinkRecorder, createConnectorRegistry, createSteamDependencies, SteamOpenId, type SteamSettings } from '@activity/connectors';
import { DATA_SOURCE, EVENT_PUBLISHER, infrastructureProviders, KAFKA, LOGGER, REDIS, TOPIC_NAMES } from '@activity/platform';
import { HEALTH_INDICATORS, postgresIndicator, redisIndicator } from '@activity/observability';
import { HealthController, MetricsController } from '@activity/http';
import { kafkaIndicator } from '@activity/messaging';
import { AccountsController } from './accounts/accounts.controller';
import { AccountsService } from './accounts/accounts.service';
import type { FeedApiConfig } from './feed-api.config';
import { FeedController } from './feed/feed.controller';
import { FeedService } from './feed/feed.service';
import { InternalEventsController } from './internal/internal-events.controller';
import { LegacyFeedController } from './legacy/legacy-feed.controller';
import { RateLimitAdmission } from './rate-limit/rate-limit-admission';
import { RateLimiter } from './rate-limit/rate-limiter';
import { FeedNotifier } from './realtime/feed-notifier';
import { FeedUpdatesConsumer } from './realtime/feed-updates.consumer';
import { ReadBroadcast } from './realtime/read-broadcast';
import { RealtimeController } from './realtime/realtime.controller';
import { MemoryUnreadCache, RedisUnreadCache, UnreadCounter } from './unread/unread-counter';

/** Redis-backed replay protection for internal signatures (several instances share it). */
class RedisNonceStore implements NonceStore {
  constructor(private readonly redis: Redis) {}

  async remember(nonce: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`internal:nonce:${nonce}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}

/** Starts the broadcast consumer and read-marker subscription with the app; ends waiting clients before the server closes. */
@Injectable()
class RealtimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(FeedUpdatesConsumer) private readonly consumer: FeedUpdatesConsumer,
    @Inject(ReadBroadcast) private readonly reads: ReadBroadcast,
    @Inject(FeedNotifier) private readonly notifier: FeedNotifier,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private retry: NodeJS.Timeout | undefined;

  async onApplicationBootstrap(): Promise<void> {
    await this.reads.start();
    // Reads must not depend on Kafka: if the consumer cannot start, serve anyway (readiness says
    // degraded) and keep trying in the background.
    const attempt = async () => {
      this.retry = undefined;
      try {
        await this.consumer.start();
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'feed.updated consumer not started; real-time updates paused, retrying in 5 s');
        await this.consumer.stop().catch(() => undefined);
        this.retry = setTimeout(() => void attempt(), 5_000);
      }
    };
    await attempt();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.retry);
    this.notifier.closeAll();
    await Promise.allSettled([this.consumer.stop(), this.reads.stop()]);
  }
}

export const FEED_API_CONTROLLERS = [FeedController, RealtimeController, LegacyFeedController, AccountsController, InternalEventsController, HealthController, MetricsController];

@Module({})
export class FeedApiModule {
  static forRoot(config: FeedApiConfig, steam: SteamSettings, logger: Logger): DynamicModule {
    return {
      module: FeedApiModule,
      controllers: FEED_API_CONTROLLERS,
      providers: [
        ...infrastructureProviders('feed-api', config, logger),
        { provide: JwtVerifier, useFactory: () => JwtVerifier.create(config) },
        {
          provide: PERMISSION_CHECKER,
          useFactory: (redis: Redis | null) =>
            config.ACCESS_MODE === 'http'
              ? new HttpAccessChecker(
                  {
                    url: config.ACCESS_URL!,
                    key: { id: config.ACCESS_KEY_ID!, secret: config.ACCESS_KEY_SECRET! },
                    timeoutMs: config.ACCESS_TIMEOUT_MS,
                    allowTtlSeconds: config.ACCESS_CACHE_ALLOW_TTL_SECONDS,
                    denyTtlSeconds: config.ACCESS_CACHE_DENY_TTL_SECONDS,
                    breaker: { failureThreshold: 5, openMs: 10_000 },
                  },
                  redis ? new RedisDecisionCache(redis) : new MemoryDecisionCache(),
                  logger,
                )
              : StaticPolicyChecker.fromFile(config.ACCESS_POLICY_FILE),
          inject: [REDIS],
        },
        {
          provide: InternalRequestVerifier,
          useFactory: (redis: Redis | null) => new InternalRequestVerifier(parseInternalKeys(config.INTERNAL_HMAC_KEYS), redis ? new RedisNonceStore(redis) : new MemoryNonceStore()),
          inject: [REDIS],
        },
        AccessControl,
        { provide: APP_GUARD, useClass: AccessGuard },
        {
          provide: REQUEST_ADMISSION,
          useFactory: (redis: Redis | null) =>
            new RateLimitAdmission(new RateLimiter(redis, config.FEED_RATE_LIMIT_PER_MINUTE, logger), new RateLimiter(redis, config.FEED_AUTH_FAILURES_PER_MINUTE, logger)),
          inject: [REDIS],
        },
        FeedNotifier,
        {
          provide: UnreadCounter,
          useFactory: (dataSource: DataSource, redis: Redis | null) => new UnreadCounter(new FeedReadMarkerStore(dataSource), redis ? new RedisUnreadCache(redis) : new MemoryUnreadCache(), logger),
          inject: [DATA_SOURCE, REDIS],
        },
        { provide: ReadBroadcast, useFactory: (redis: Redis | null, notifier: FeedNotifier) => new ReadBroadcast(redis, notifier, logger), inject: [REDIS, FeedNotifier] },
        {
          provide: FeedService,
          useFactory: (dataSource: DataSource, unread: UnreadCounter, reads: ReadBroadcast) =>
            new FeedService(new ActivityEventStore(dataSource), new FeedReadMarkerStore(dataSource), unread, reads, new FeedCursor(config.FEED_CURSOR_SECRET)),
          inject: [DATA_SOURCE, UnreadCounter, ReadBroadcast],
        },
        {
          provide: FeedUpdatesConsumer,
          useFactory: (kafka: Kafka, topics: TopicNames, publisher: EventPublisher, unread: UnreadCounter, notifier: FeedNotifier) =>
            new FeedUpdatesConsumer(kafka, topics, publisher, unread, notifier, logger),
          inject: [KAFKA, TOPIC_NAMES, EVENT_PUBLISHER, UnreadCounter, FeedNotifier],
        },
        RealtimeLifecycle,
        {
          provide: AccountsService,
          useFactory: (dataSource: DataSource, redis: Redis | null) => {
            const steamDependencies = createSteamDependencies(steam, redis, logger);
            const links = new AccountLinkStore(dataSource);
            const outbox = new OutboxStore(dataSource);
            return new AccountsService(
              dataSource,
              createConnectorRegistry(steamDependencies ? { steam: steamDependencies } : {}),
              links,
              new AccountLinkClaimStore(),
              new AccountLinkRecorder(links, outbox, '/feed-api'),
              new SyncRunStore(),
              outbox,
              redis,
              config.MANUAL_SYNC_COOLDOWN_SECONDS,
              steamDependencies
                ? { openId: new SteamOpenId(steam.STEAM_OPENID_URL, steam.STEAM_TIMEOUT_MS), callbackUrl: new URL('/v2/accounts/steam/openid/callback', config.FEED_API_PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).toString() }
                : undefined,
            );
          },
          inject: [DATA_SOURCE, REDIS],
        },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, redis: Redis | null, consumer: FeedUpdatesConsumer) => [
            postgresIndicator(dataSource),
            // Reads keep working without Kafka or Redis; only real-time, caching and shared limits degrade.
            kafkaIndicator(kafka.admin(), false),
            {
              name: 'feed-updates-consumer',
              critical: false,
              check: async () => {
                if (!consumer.isRunning) throw new Error('not consuming feed.updated: real-time updates are paused');
              },
            },
            ...(redis ? [redisIndicator(() => redis.ping(), false)] : []),
          ],
          inject: [DATA_SOURCE, KAFKA, REDIS, FeedUpdatesConsumer],
        },
      ],
    };
  }
}
