import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEventAttributes } from '../cloud-event';
import type { InboundMessage } from '../consumer-runner';
import type { TopicName } from '../topics';

/**
 * What an `@EventPattern` handler gets with `@Ctx()`: the message's CloudEvent attributes
 * (tenant, id, trace) and its place in the log. The payload itself comes with `@Payload()`,
 * already checked against the topic's schema.
 */
export class KafkaEventContext<T extends TopicName = TopicName> extends BaseRpcContext<[InboundMessage<T>]> {
  constructor(message: InboundMessage<T>) {
    super([message]);
  }

  get message(): InboundMessage<T> {
    return this.args[0];
  }

  get event(): CloudEventAttributes {
    return this.args[0].event;
  }

  get tenantId(): string {
    return this.args[0].event.tenantId;
  }
}

/**
 * What a batch `@EventPattern` handler (`consumerBinding({ batch })`) gets with `@Ctx()`: the
 * messages, in partition order, each with its CloudEvent attributes; the payloads come as an
 * array with `@Payload()`, in the same order.
 */
export class KafkaBatchContext<T extends TopicName = TopicName> extends BaseRpcContext<[readonly InboundMessage<T>[]]> {
  constructor(messages: readonly InboundMessage<T>[]) {
    super([messages]);
  }

  get messages(): readonly InboundMessage<T>[] {
    return this.args[0];
  }
}
