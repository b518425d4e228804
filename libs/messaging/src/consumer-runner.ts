import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { fromKafkaHeaders, type CloudEventAttributes } from './cloud-event';
import { assertValidPayload, type PayloadOf } from './contracts/event-contracts';
import type { EventPublisher } from './event-publisher';
import { MalformedMessageError } from './message-errors';
import { consumerLag, consumerMessages } from './messaging-metrics';
import type { ProcessedEvents } from './processed-events';
import { deadLetterTopicOf, type TopicName, type TopicNames } from './topics';

export interface InboundMessage<T extends TopicName> {
  readonly topic: T;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly event: CloudEventAttributes;
  readonly payload: PayloadOf[T];
}

export interface ConsumerRunnerOptions<T extends TopicName> {
  readonly groupId: string;
  readonly topic: T;
  readonly handle: (message: InboundMessage<T>) => Promise<void>;
  /** Attempts before a failing message goes to the DLQ. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly fromBeginning?: boolean;
  /** Skips messages whose ce_id this group already handled. Omit for broadcast consumers. */
  readonly processed?: ProcessedEvents;
}

export interface ConsumerStats {
  processed: number;
  duplicates: number;
  failed: number;
  deadLettered: number;
}

/**
 * Runs one consumer group over one topic with the rules every consumer here follows:
 * validate the envelope and payload, retry transient failures with backoff (heartbeating so a
 * slow retry does not cost a rebalance), send poison messages to `<topic>.dlq` with the reason in
 * headers, and never block the partition. Offsets are committed only after a message is either
 * handled or dead-lettered, so a crash means redelivery, never loss.
 */
export class ConsumerRunner<T extends TopicName> {
  private consumer: Consumer;
  readonly stats: ConsumerStats = { processed: 0, duplicates: 0, failed: 0, deadLettered: 0 };
  private running = false;
  private consuming: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly deadLetters: EventPublisher,
    private readonly options: ConsumerRunnerOptions<T>,
    private readonly logger: Logger,
  ) {
    this.consumer = this.createConsumer();
  }

  /** A fresh KafkaJS consumer per start, so a failed start can be retried cleanly. */
  private createConsumer(): Consumer {
    return this.kafka.consumer({
      groupId: this.topics.physical(this.options.groupId),
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    this.consumer = this.createConsumer();
    const group = this.metricGroup;
    // Resolved when the first fetch after joining completes: partitions assigned, offsets resolved.
    this.consuming = new Promise((resolve) => {
      const joined = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        joined();
        const fetched = this.consumer.on(this.consumer.events.FETCH, () => {
          fetched();
          resolve();
        });
      });
    });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      consumerLag.set({ topic: this.options.topic, partition: String(payload.partition), group }, Number(payload.offsetLag));
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.physical(this.options.topic), fromBeginning: this.options.fromBeginning ?? true });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachMessage: (payload) => this.onMessage(payload),
    });
  }

  /** Per-instance broadcast groups share one label, so metrics do not grow a series per restart. */
  private get metricGroup(): string {
    return this.options.groupId.startsWith('feed-api.broadcast') ? 'feed-api.broadcast' : this.options.groupId;
  }

  /** Resolves once the consumer has joined its group and fetched: messages produced from now on will be seen. */
  whenConsuming(): Promise<void> {
    return this.consuming;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Finishes the message in hand, commits offsets and leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async onMessage({ message, partition, heartbeat }: EachMessagePayload): Promise<void> {
    const topic = this.options.topic;
    const offset = message.offset;
    const log = this.logger.child({ topic, partition, offset });
    let inbound: InboundMessage<T>;
    try {
      const event = fromKafkaHeaders(message.headers);
      let payload: unknown;
      try {
        payload = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch (error) {
        throw new MalformedMessageError('malformed_json', `value is not JSON: ${(error as Error).message}`);
      }
      assertValidPayload(topic, event.type, payload);
      inbound = { topic, partition, offset, key: message.key?.toString('utf8') ?? null, event, payload };
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        await this.deadLetter(message, partition, error.reason, error.message, 1);
        log.warn({ reason: error.reason, err: error.message }, 'malformed message sent to DLQ');
        return;
      }
      throw error;
    }

    const processed = this.options.processed;
    if (processed && (await processed.has(this.options.groupId, inbound.event.id).catch(() => false))) {
      this.stats.duplicates += 1;
      consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'duplicate' });
      log.info({ ceId: inbound.event.id }, 'duplicate message skipped');
      return;
    }
    const maxAttempts = this.options.maxAttempts ?? 5;
    const base = this.options.retryBaseMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.handle(inbound);
        this.stats.processed += 1;
        consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'processed' });
        await processed?.remember(this.options.groupId, inbound.event.id).catch((error: Error) => log.warn({ err: error.message }, 'could not remember processed message'));
        return;
      } catch (error) {
        const permanent = error instanceof MalformedMessageError;
        if (permanent || attempt >= maxAttempts) {
          this.stats.failed += 1;
          consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'failed' });
          const reason = permanent ? error.reason : 'handler_failed';
          await this.deadLetter(message, partition, reason, (error as Error).message ?? String(error), attempt);
          log.error({ err: error, ceId: inbound.event.id, attempts: attempt, reason }, 'message sent to DLQ');
          return;
        }
        const delay = Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        log.warn({ err: (error as Error).message, ceId: inbound.event.id, attempt, retryInMs: Math.round(delay) }, 'handler failed; retrying');
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  private async deadLetter(message: EachMessagePayload['message'], partition: number, reason: string, detail: string, attempts: number): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) headers[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
    }
    Object.assign(headers, {
      dlq_reason: reason,
      dlq_error: detail.slice(0, 1000),
      dlq_original_topic: this.options.topic,
      dlq_original_partition: String(partition),
      dlq_original_offset: message.offset,
      dlq_consumer_group: this.options.groupId,
      dlq_attempts: String(attempts),
      dlq_failed_at: new Date().toISOString(),
    });
    // If the DLQ write fails this throws, KafkaJS does not commit, and the message is retried.
    await this.deadLetters.publish([
      { topic: deadLetterTopicOf(this.options.topic), key: message.key?.toString('utf8') ?? '', headers, value: message.value?.toString('utf8') ?? '' },
    ]);
    this.stats.deadLettered += 1;
    consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'dead_lettered' });
  }
}
