import { parseTraceparent, requestContext } from '../logging/request-context';
import { activeTrace } from './tracing';

/**
 * Runs a message handler with the message's tenant and trace in the log context. With tracing on,
 * the KafkaJS instrumentation has already opened the consumer span from the message's traceparent,
 * and that span is the trace the logs and the handler's own messages continue.
 */
export function runWithMessageContext<T>(event: { id: string; tenantId: string; type?: string; traceparent?: string }, work: () => Promise<T>): Promise<T> {
  const trace = activeTrace() ?? parseTraceparent(event.traceparent);
  return requestContext.run({ requestId: event.id, tenantId: event.tenantId, ...(trace ?? {}) }, work);
}
