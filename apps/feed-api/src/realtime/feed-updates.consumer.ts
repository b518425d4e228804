import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerRunner, Topic, type EventPublisher, type TopicNames } from '@activity/messaging';
import { runWithMessageContext } from '@activity/observability';
import type { UnreadCounter } from '../unread/unread-counter';
import type { FeedNotifier } from './feed-notifier';

/**
 * Every feed-api instance reads all of feed.updated (its own consumer group, starting at the
 * end): it invalidates the user's unread count and wakes the user's waiting clients.
 */
export class FeedUpdatesConsumer {
  private readonly runner: ConsumerRunner<typeof Topic.FeedUpdated>;

  constructor(kafka: Kafka, topics: TopicNames, publisher: EventPublisher, unread: UnreadCounter, notifier: FeedNotifier, logger: Logger) {
    const groupId = `feed-api.broadcast.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
    this.runner = new ConsumerRunner(
      kafka,
      topics,
      publisher,
      {
        groupId,
        topic: Topic.FeedUpdated,
        fromBeginning: false,
        partitionsConsumedConcurrently: 4,
        handle: (message) =>
          runWithMessageContext(message.event, async () => {
            await unread.invalidate(message.payload.tenantId, message.payload.userId);
            notifier.notify(message.payload.tenantId, message.payload.userId, { kind: 'updated' });
          }),
      },
      logger.child({ consumer: 'feed-api.broadcast' }),
    );
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  get isRunning(): boolean {
    return this.runner.isRunning;
  }
}
