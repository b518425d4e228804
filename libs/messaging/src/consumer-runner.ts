import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, type IBackoff, type IBackoffFactory } from 'cockatiel';
import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { fromKafkaHeaders, headersAsText, type CloudEventAttributes } from './cloud-event';
import { assertValidPayload, type PayloadOf } from './contracts/event-contracts';
import type { EventPublisher } from './event-publisher';
import { failureKind } from './failure-kind';
import { MalformedMessageError } from './message-errors';
import { consumerBatchSizes as batchSizes, consumerLag, consumerMessages } from './messaging-metrics';
import type { ProcessedEvents } from './processed-events';
import { deadLetterTopicOf, type TopicName, type TopicNames } from './topics';

/**
 * A member that stops heartbeating (SIGKILL, a lost host) is evicted after the session timeout and
 * its partitions handed to the others; 6 s is the broker's default minimum
 * (group.min.session.timeout.ms), so a dead worker's partitions move within seconds, not 30.
 * Live members heartbeat every second: KafkaJS heartbeats after each fetch, and a fetch waits at
 * most FETCH_MAX_WAIT_MS on an idle partition; a long handler heartbeats on its own (whileHeartbeating).
 */
const SESSION_TIMEOUT_MS = 6_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
const FETCH_MAX_WAIT_MS = 1_000;

/**
 * The waits between a message's attempts: cockatiel's exponential backoff with decorrelated
 * jitter, from `baseMs` up to `maxMs`, so replicas retrying after the same outage spread out.
 */
export function retryBackoff(baseMs: number, maxMs: number): IBackoffFactory<unknown> {
  return new ExponentialBackoff({ initialDelay: baseMs, maxDelay: maxMs });
}

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
  /** The group label on metrics (per-instance broadcast groups share one, so series do not grow per restart). */
  readonly metricGroup?: string;
  readonly topic: T;
  readonly handle: (message: InboundMessage<T>) => Promise<void>;
  /**
   * Handles several messages of one partition at once, in offset order (e.g. in one transaction).
   * With it, the runner consumes in batches of up to `maxBatchSize`; a batch that fails for a
   * reason other than a dependency outage is retried message by message through `handle`, so one
   * poison message is dead-lettered alone and the rest still land.
   */
  readonly handleBatch?: (messages: readonly InboundMessage<T>[]) => Promise<void>;
  readonly maxBatchSize?: number;
  /** Attempts before a message failing for an unknown reason goes to the DLQ (poison goes at once; a dependency outage is waited out). */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  /** Longest pause between retries while a dependency is down. */
  readonly maxRetryDelayMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly fromBeginning?: boolean;
  /** Skips messages whose ce_id this group already handled. Omit for broadcast consumers. */
  readonly processed?: ProcessedEvents;
  /** Resolves when the group's coordinator can take a join (see awaitGroupCoordinator). */
  readonly awaitCoordinator?: (physicalGroupId: string) => Promise<void>;
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
  private stopping = false;
  private consuming: Promise<void> = Promise.resolve();
  /** Set while a message waits for a dependency to come back (health says degraded). */
  private waitingFor: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

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
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
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
    // KafkaJS restarts itself after retriable crashes; when it gives up, the feed would stop
    // silently. Report not-running (health goes red) and start again with a fresh consumer.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.running = false;
      this.logger.error({ err: payload.error?.message, group: this.options.groupId }, 'consumer crashed and will not restart by itself; restarting in 5 s');
      this.scheduleRestart();
    });
    await this.options.awaitCoordinator?.(this.topics.physical(this.options.groupId));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.physical(this.options.topic), fromBeginning: this.options.fromBeginning ?? true });
    this.running = true;
    const partitionsConsumedConcurrently = this.options.partitionsConsumedConcurrently ?? 4;
    await this.consumer.run(
      this.options.handleBatch
        ? { autoCommit: true, partitionsConsumedConcurrently, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) }
        : { autoCommit: true, partitionsConsumedConcurrently, eachMessage: (payload) => this.onMessage(payload) },
    );
  }

  private get metricGroup(): string {
    return this.options.metricGroup ?? this.options.groupId;
  }

  /** Resolves once the consumer has joined its group and fetched: messages produced from now on will be seen. */
  whenConsuming(): Promise<void> {
    return this.consuming;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** What the message in hand is waiting for, while a dependency is down. */
  get waitingOnDependency(): string | undefined {
    return this.waitingFor;
  }

  /** Finishes the message in hand, commits offsets and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        if (this.stopping) return;
        await this.consumer.disconnect().catch(() => undefined);
        try {
          await this.start();
        } catch (error) {
          this.logger.error({ err: (error as Error).message, group: this.options.groupId }, 'consumer restart failed; trying again in 5 s');
          this.running = false;
          this.scheduleRestart();
        }
      })();
    }, 5_000);
  }

  private async onMessage({ message, partition, heartbeat }: EachMessagePayload): Promise<void> {
    const inbound = await this.decode(message, partition);
    if (!inbound) return;
    if (await this.alreadyProcessed(inbound)) return;
    await this.deliver(message, inbound, heartbeat);
  }

  /**
   * Batch mode: the fetched messages of one partition are handled in chunks of `maxBatchSize`,
   * each chunk's offset resolved and committed only after all of it is handled or dead-lettered.
   * A crash mid-chunk redelivers the chunk (handlers are idempotent; ce_ids already handled are
   * skipped), so at-least-once and per-partition order hold as in message mode.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const size = Math.max(1, this.options.maxBatchSize ?? 100);
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + size);
      const decoded: Array<{ message: KafkaMessage; inbound: InboundMessage<T> }> = [];
      for (const message of chunk) {
        const inbound = await this.decode(message, batch.partition);
        if (inbound) decoded.push({ message, inbound });
      }
      const fresh = await this.withoutProcessed(decoded);
      if (fresh.length > 0) await this.deliverChunk(fresh, heartbeat);
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** Parses and validates a message; a malformed one is dead-lettered here and yields undefined. */
  private async decode(message: KafkaMessage, partition: number): Promise<InboundMessage<T> | undefined> {
    const topic = this.options.topic;
    try {
      const event = fromKafkaHeaders(message.headers);
      let payload: unknown;
      try {
        payload = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch (error) {
        throw new MalformedMessageError('malformed_json', `value is not JSON: ${(error as Error).message}`);
      }
      assertValidPayload(topic, event.type, payload);
      return { topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, event, payload };
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        await this.deadLetter(message, partition, error.reason, error.message, 1);
        this.logger.warn({ topic, partition, offset: message.offset, reason: error.reason, err: error.message }, 'malformed message sent to DLQ');
        return undefined;
      }
      throw error;
    }
  }

  private async alreadyProcessed(inbound: InboundMessage<T>): Promise<boolean> {
    const processed = this.options.processed;
    if (!processed || !(await processed.has(this.options.groupId, inbound.event.id).catch(() => false))) return false;
    this.countDuplicate(inbound);
    return true;
  }

  /** The chunk's messages whose ce_id was not handled before, nor seen earlier in the same chunk. */
  private async withoutProcessed<M extends { inbound: InboundMessage<T> }>(decoded: readonly M[]): Promise<M[]> {
    const processed = this.options.processed;
    const seen = processed ? await Promise.all(decoded.map(({ inbound }) => processed.has(this.options.groupId, inbound.event.id).catch(() => false))) : [];
    const ids = new Set<string>();
    return decoded.filter(({ inbound }, index) => {
      const duplicate = Boolean(seen[index]) || (processed !== undefined && ids.has(inbound.event.id));
      ids.add(inbound.event.id);
      if (duplicate) this.countDuplicate(inbound);
      return !duplicate;
    });
  }

  private countDuplicate(inbound: InboundMessage<T>): void {
    this.stats.duplicates += 1;
    consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'duplicate' });
    this.logger.info({ topic: inbound.topic, partition: inbound.partition, offset: inbound.offset, ceId: inbound.event.id }, 'duplicate message skipped');
  }

  private async markProcessed(inbound: InboundMessage<T>): Promise<void> {
    this.stats.processed += 1;
    consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'processed' });
    await this.options.processed
      ?.remember(this.options.groupId, inbound.event.id)
      .catch((error: Error) =>
        this.logger.warn({ topic: inbound.topic, partition: inbound.partition, offset: inbound.offset, err: error.message }, 'could not remember processed message'),
      );
  }

  /**
   * One chunk through `handleBatch`, waiting out dependency outages like a single message does.
   * Any other failure (a poison delivery among good ones, say) hands the chunk to `deliver`
   * message by message, which retries and dead-letters each on its own.
   */
  private async deliverChunk(chunk: ReadonlyArray<{ message: KafkaMessage; inbound: InboundMessage<T> }>, heartbeat: () => Promise<void>): Promise<void> {
    const handleBatch = this.options.handleBatch!;
    if (chunk.length === 1) return this.deliver(chunk[0]!.message, chunk[0]!.inbound, heartbeat);
    let backoff: IBackoff<unknown> | undefined;
    for (;;) {
      try {
        await this.whileHeartbeating(heartbeat, () => handleBatch(chunk.map(({ inbound }) => inbound)));
        this.waitingFor = undefined;
        batchSizes.observe({ topic: this.options.topic, group: this.metricGroup }, chunk.length);
        await Promise.all(chunk.map(({ inbound }) => this.markProcessed(inbound)));
        return;
      } catch (error) {
        const kind = failureKind(error);
        const detail = (error as Error)?.message ?? String(error);
        if (kind !== 'dependency') {
          this.logger.warn({ err: detail, kind, messages: chunk.length, firstOffset: chunk[0]!.inbound.offset }, 'batch failed; handling its messages one by one');
          for (const { message, inbound } of chunk) await this.deliver(message, inbound, heartbeat);
          return;
        }
        this.waitingFor = detail;
        if (this.stopping) throw error;
        backoff = backoff ? backoff.next(undefined) : retryBackoff(this.options.retryBaseMs ?? 50, this.options.maxRetryDelayMs ?? 5_000).next(undefined);
        const delay = backoff.duration;
        this.logger.warn({ err: detail, messages: chunk.length, kind, retryInMs: Math.round(delay) }, 'dependency unavailable; waiting to retry');
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  /** One message through `handle`: retried with backoff, dead-lettered when poison or out of attempts. */
  private async deliver(message: KafkaMessage, inbound: InboundMessage<T>, heartbeat: () => Promise<void>): Promise<void> {
    const log = this.logger.child({ topic: inbound.topic, partition: inbound.partition, offset: inbound.offset });
    const maxAttempts = this.options.maxAttempts ?? 5;
    const base = this.options.retryBaseMs ?? 50;
    const maxDelay = this.options.maxRetryDelayMs ?? 5_000;
    let unknownFailures = 0;
    let backoff: IBackoff<unknown> | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.whileHeartbeating(heartbeat, () => this.options.handle(inbound));
        this.waitingFor = undefined;
        await this.markProcessed(inbound);
        return;
      } catch (error) {
        const kind = failureKind(error);
        const detail = (error as Error)?.message ?? String(error);
        if (kind === 'unknown') unknownFailures += 1;
        if (kind === 'poison' || unknownFailures >= maxAttempts) {
          this.waitingFor = undefined;
          this.stats.failed += 1;
          consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'failed' });
          const reason = error instanceof MalformedMessageError ? error.reason : kind === 'poison' ? 'unprocessable' : 'handler_failed';
          await this.deadLetter(message, inbound.partition, reason, detail, attempt);
          log.error({ err: error, ceId: inbound.event.id, attempts: attempt, reason }, 'message sent to DLQ');
          return;
        }
        // A dependency outage is not the message's fault: the partition waits until it is back.
        if (kind === 'dependency') this.waitingFor = detail;
        if (this.stopping) throw error; // not committed: redelivered after the restart
        backoff = backoff ? backoff.next(undefined) : retryBackoff(base, maxDelay).next(undefined);
        const delay = backoff.duration;
        log.warn(
          { err: detail, ceId: inbound.event.id, attempt, kind, retryInMs: Math.round(delay) },
          kind === 'dependency' ? 'dependency unavailable; waiting to retry' : 'handler failed; retrying',
        );
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  /**
   * Keeps the group membership alive while a handler runs longer than the session timeout would
   * allow (a slow sync): KafkaJS only heartbeats between messages otherwise.
   */
  private async whileHeartbeating(heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async deadLetter(message: KafkaMessage, partition: number, reason: string, detail: string, attempts: number): Promise<void> {
    const headers = headersAsText(message.headers);
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
    // The original bytes, untouched (a poison message may not even be UTF-8); a null key stays null.
    // If the DLQ write fails this throws, KafkaJS does not commit, and the message is retried.
    await this.deadLetters.publish([{ topic: deadLetterTopicOf(this.options.topic), key: message.key ?? null, headers, value: message.value ?? null }]);
    this.stats.deadLettered += 1;
    consumerMessages.inc({ topic: this.options.topic, group: this.metricGroup, result: 'dead_lettered' });
  }
}
