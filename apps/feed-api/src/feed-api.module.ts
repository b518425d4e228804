import { Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { JwtAuthGuard, JwtVerifier } from '@activity/auth';
import { FeedCursor } from '@activity/domain';
import { ActivityEventStore } from '@activity/persistence';
import {
  DATA_SOURCE, HEALTH_INDICATORS, HealthController, infrastructureProviders, KAFKA, kafkaIndicator, MetricsController, postgresIndicator, REDIS, redisIndicator,
} from '@activity/platform';
import type { FeedApiConfig } from './feed-api.config';
import { FeedController } from './feed/feed.controller';
import { FeedService } from './feed/feed.service';

@Module({})
export class FeedApiModule {
  static forRoot(config: FeedApiConfig, logger: Logger): DynamicModule {
    return {
      module: FeedApiModule,
      controllers: [FeedController, HealthController, MetricsController],
      providers: [
        ...infrastructureProviders('feed-api', config, logger),
        { provide: JwtVerifier, useFactory: () => JwtVerifier.create(config) },
        JwtAuthGuard,
        {
          provide: FeedService,
          useFactory: (dataSource: DataSource) => new FeedService(new ActivityEventStore(dataSource), new FeedCursor(config.FEED_CURSOR_SECRET)),
          inject: [DATA_SOURCE],
        },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (dataSource: DataSource, kafka: Kafka, redis: Redis | null) => [
            postgresIndicator(dataSource),
            // Reads keep working without Kafka or Redis; only real-time and caching degrade.
            kafkaIndicator(kafka.admin(), false),
            ...(redis ? [redisIndicator(() => redis.ping(), false)] : []),
          ],
          inject: [DATA_SOURCE, KAFKA, REDIS],
        },
      ],
    };
  }
}
