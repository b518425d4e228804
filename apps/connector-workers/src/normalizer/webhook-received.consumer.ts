import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerRunner, Topic, type EventPublisher, type ProcessedEvents, type TopicNames } from '@activity/messaging';
import { runWithMessageContext, type HealthIndicator } from '@activity/platform';
import type { WebhookNormalizer } from './webhook-normalizer';

export const WEBHOOK_CONSUMER_GROUP = 'connector-workers.webhooks';

/** Owns the webhook.received consumer for the life of the process. */
export class WebhookReceivedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ConsumerRunner<typeof Topic.WebhookReceived>;

  constructor(
    kafka: Kafka,
    topics: TopicNames,
    publisher: EventPublisher,
    normalizer: WebhookNormalizer,
    options: { concurrency: number; maxAttempts: number; processed: ProcessedEvents },
    logger: Logger,
  ) {
    this.runner = new ConsumerRunner(
      kafka,
      topics,
      publisher,
      {
        groupId: WEBHOOK_CONSUMER_GROUP,
        topic: Topic.WebhookReceived,
        partitionsConsumedConcurrently: options.concurrency,
        maxAttempts: options.maxAttempts,
        processed: options.processed,
        handle: (message) => runWithMessageContext(message.event, () => normalizer.handle(message)),
      },
      logger.child({ consumer: WEBHOOK_CONSUMER_GROUP }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  healthIndicator(): HealthIndicator {
    return {
      name: 'webhook-consumer',
      critical: true,
      check: async () => {
        if (!this.runner.isRunning) throw new Error('consumer is not running');
      },
    };
  }
}
