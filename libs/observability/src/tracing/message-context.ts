import { parseTraceparent, requestContext } from '../logging/request-context';
import { inSpan, SpanKind } from './tracing';

/**
 * Runs a message handler with the message's tenant and trace in the log context, inside a
 * consumer span that continues the message's trace (a no-op span when tracing is off).
 */
export function runWithMessageContext<T>(event: { id: string; tenantId: string; type?: string; traceparent?: string }, work: () => Promise<T>): Promise<T> {
  const trace = parseTraceparent(event.traceparent);
  return requestContext.run({ requestId: event.id, tenantId: event.tenantId, ...(trace ?? {}) }, () =>
    inSpan(`process ${event.type ?? 'message'}`, SpanKind.CONSUMER, event.traceparent, { 'messaging.message.id': event.id, 'activity.tenant': event.tenantId }, work),
  );
}
