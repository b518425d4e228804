/**
 * How an `@EventPattern(topic, consumerBinding({...}))` handler is consumed. Nest keeps these as
 * the pattern's "extras"; the Kafka transport reads them when it starts the consumer group.
 */
export interface ConsumerBinding {
  /** Logical consumer group (the topic prefix is added); one group per handler. */
  readonly group: string;
  /** Partitions handled at once (per-key order holds: one message per partition at a time). */
  readonly concurrency?: number;
  /**
   * Every instance reads every message: the group gets a per-process suffix, starts at the end
   * of the topic, skips no ce_id, and a failure to start does not stop the service (it retries
   * in the background and health reports it as degraded).
   */
  readonly broadcast?: boolean;
  /**
   * Handle up to this many messages of one partition per call: the handler then gets an array of
   * payloads with `@Payload()` and a `KafkaBatchContext` with `@Ctx()`. Messages keep their order;
   * a failing batch is retried message by message (the handler called with one-element arrays).
   */
  readonly batch?: number;
  /** The name health reports this consumer under (default: the group). */
  readonly healthName?: string;
}

const BINDING = Symbol.for('activity.consumerBinding');

/** Marks a binding, so the transport can tell it from extras another library put there. */
export function consumerBinding(binding: ConsumerBinding): Record<string, unknown> {
  return { [BINDING]: true, ...binding };
}

export function bindingOf(extras: Record<string | symbol, unknown> | undefined): ConsumerBinding | undefined {
  return extras && extras[BINDING] ? (extras as unknown as ConsumerBinding) : undefined;
}
