import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { runWithBatchContext, runWithMessageContext, type HealthIndicator, type HealthRegistry } from '@activity/observability';
import { ConsumerRunner, type InboundMessage } from '../consumer-runner';
import type { EventPublisher } from '../event-publisher';
import type { ProcessedEvents } from '../processed-events';
import { ALL_TOPICS, type TopicName, type TopicNames } from '../topics';
import { bindingOf, type ConsumerBinding } from './consumer-binding';
import { KafkaBatchContext, KafkaEventContext } from './kafka-event-context';

export interface KafkaConsumerTransportOptions {
  /** Attempts before a message failing for an unknown reason goes to the DLQ. */
  readonly maxAttempts?: number;
  /** Skips already handled ce_ids (not for broadcast consumers). */
  readonly processed: ProcessedEvents;
  /** Per-group settings from config, over the binding's defaults (e.g. concurrency). */
  readonly groups?: Readonly<Record<string, Partial<Pick<ConsumerBinding, 'concurrency' | 'batch'>>>>;
  /** Delay before a broadcast consumer that could not start tries again. */
  readonly restartDelayMs?: number;
  /** Resolves when a group's coordinator can take a join; consumers wait for it before joining. */
  readonly awaitCoordinator?: (physicalGroupId: string) => Promise<void>;
}

interface Consumer {
  readonly binding: ConsumerBinding;
  readonly runner: ConsumerRunner<TopicName>;
}

/**
 * Kafka as a Nest transport: every `@EventPattern(topic, consumerBinding({ group }))` handler of
 * the app becomes one consumer group run by our ConsumerRunner (schema validation, DLQ with
 * reasons, ce_id idempotency, commit after handling, heartbeats during long handlers). This is the
 * one place that owns consumer lifecycle, health and message context: handlers only handle.
 *
 * Why not Nest's built-in ServerKafka: it has no DLQ, no schema check, no dedupe, and commits
 * before a failed handler is retried; it also fixes one consumer group per server.
 */
export class KafkaConsumerTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: Consumer[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly publisher: EventPublisher,
    private readonly health: HealthRegistry,
    private readonly options: KafkaConsumerTransportOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.messageHandlers) this.consumers.push(this.consumerFor(pattern, handler));
      for (const consumer of this.consumers) this.health.add(...this.indicatorsOf(consumer));
      // A critical consumer that cannot start stops the service (as a missing database would);
      // a broadcast one only pauses its feature and keeps trying.
      await Promise.all(this.consumers.map((consumer) => (consumer.binding.broadcast ? this.startInBackground(consumer) : consumer.runner.start())));
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Finishes the messages in hand, commits offsets and leaves the groups. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.retries) clearTimeout(timer);
    await Promise.allSettled(this.consumers.map((consumer) => consumer.runner.stop()));
  }

  on(): never {
    throw new Error('KafkaConsumerTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumers.map((consumer) => consumer.runner) as T;
  }

  /** Resolves once every consumer has joined its group and fetched (used by tests and start-up ordering). */
  async whenConsuming(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.runner.whenConsuming()));
  }

  private consumerFor(pattern: string, handler: MessageHandler): Consumer {
    const topic = pattern as TopicName;
    if (!(ALL_TOPICS as readonly string[]).includes(topic)) throw new Error(`@EventPattern("${pattern}") names no topic of ours`);
    const binding = bindingOf(handler.extras);
    if (!binding) throw new Error(`@EventPattern("${pattern}") needs consumerBinding({ group }) as its extras`);
    const settings = { ...binding, ...this.options.groups?.[binding.group] };
    const groupId = binding.broadcast ? `${binding.group}.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}` : binding.group;
    const runner = new ConsumerRunner(
      this.kafka,
      this.topics,
      this.publisher,
      {
        groupId,
        metricGroup: binding.group,
        topic,
        partitionsConsumedConcurrently: settings.concurrency ?? 4,
        ...(this.options.maxAttempts ? { maxAttempts: this.options.maxAttempts } : {}),
        ...(this.options.awaitCoordinator ? { awaitCoordinator: this.options.awaitCoordinator } : {}),
        ...(binding.broadcast ? { fromBeginning: false } : { processed: this.options.processed }),
        ...(settings.batch && settings.batch > 1
          ? {
              maxBatchSize: settings.batch,
              handle: (message: InboundMessage<TopicName>) => this.invokeBatch(handler, [message]),
              handleBatch: (messages: readonly InboundMessage<TopicName>[]) => this.invokeBatch(handler, messages),
            }
          : { handle: (message: InboundMessage<TopicName>) => runWithMessageContext(message.event, () => this.invoke(handler, message)) }),
      },
      this.log.child({ consumer: binding.group }),
    );
    return { binding, runner };
  }

  /** Runs the Nest handler (pipes, interceptors, filters) and waits for its result, whatever its shape. */
  private async invoke(handler: MessageHandler, message: InboundMessage<TopicName>): Promise<void> {
    const result = this.transformToObservable(await handler(message.payload, new KafkaEventContext(message)));
    await lastValueFrom(result, { defaultValue: undefined });
  }

  private async invokeBatch(handler: MessageHandler, messages: readonly InboundMessage<TopicName>[]): Promise<void> {
    const spanName = `process ${this.topics.physical(messages[0]!.topic)}`;
    await runWithBatchContext(
      spanName,
      messages.map((message) => message.event),
      () => this.invokeBatchHandler(handler, messages),
    );
  }

  private async invokeBatchHandler(handler: MessageHandler, messages: readonly InboundMessage<TopicName>[]): Promise<void> {
    const result = this.transformToObservable(
      await handler(
        messages.map((message) => message.payload),
        new KafkaBatchContext(messages),
      ),
    );
    await lastValueFrom(result, { defaultValue: undefined });
  }

  private async startInBackground(consumer: Consumer): Promise<void> {
    try {
      await consumer.runner.start();
    } catch (error) {
      if (this.closing) return;
      this.log.warn({ err: (error as Error).message, group: consumer.binding.group }, 'consumer not started; its feature is paused, retrying');
      await consumer.runner.stop().catch(() => undefined);
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.startInBackground(consumer);
      }, this.options.restartDelayMs ?? 5_000);
      this.retries.add(timer);
    }
  }

  private indicatorsOf({ binding, runner }: Consumer): HealthIndicator[] {
    const name = binding.healthName ?? binding.group;
    const critical = !binding.broadcast;
    return [
      {
        name,
        critical,
        check: async () => {
          if (!runner.isRunning) throw new Error(binding.broadcast ? `not consuming: ${binding.group} is paused` : 'consumer is not running');
        },
      },
      {
        // Degraded, not down: the consumer is fine and resumes by itself once the dependency is back.
        name: `${name}-progress`,
        critical: false,
        check: async () => {
          const waiting = runner.waitingOnDependency;
          if (waiting) throw new Error(`waiting for a dependency: ${waiting}`);
        },
      },
    ];
  }
}
