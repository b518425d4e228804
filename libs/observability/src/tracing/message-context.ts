import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { parseTraceparent, requestContext } from '../logging/request-context';
import { activeTrace, SpanKind, startSpan, traceparentOf, tracingEndpoint } from './tracing';

/**
 * Runs a message handler with the message's tenant and trace in the log context. With tracing on,
 * the KafkaJS instrumentation has already opened the consumer span from the message's traceparent,
 * and that span is the trace the logs and the handler's own messages continue.
 */
export function runWithMessageContext<T>(event: { id: string; tenantId: string; type?: string; traceparent?: string }, work: () => Promise<T>): Promise<T> {
  const trace = activeTrace() ?? parseTraceparent(event.traceparent);
  return requestContext.run({ requestId: event.id, tenantId: event.tenantId, ...(trace ?? {}) }, work);
}

/**
 * Runs one handler call over a batch of messages. For a batch, the KafkaJS instrumentation opens
 * a new trace that only links to the messages' traces; here every message gets a `process <topic>`
 * span in its own trace instead, so each webhook's trace still reaches this service, and the work
 * (its queries, the messages it writes) runs under the first message's span, which links the rest.
 * Without tracing, the log context is the first message's.
 */
export async function runWithBatchContext<T>(spanName: string, events: ReadonlyArray<{ id: string; tenantId: string; traceparent?: string }>, work: () => Promise<T>): Promise<T> {
  const first = events[0]!;
  if (!tracingEndpoint()) return runWithMessageContext(first, work);
  const spans = events.map((event) => startSpan(spanName, SpanKind.CONSUMER, event.traceparent, { 'messaging.batch.message_count': events.length }));
  const lead = spans[0]!;
  for (const span of spans.slice(1)) lead.addLink({ context: span.spanContext() });
  try {
    const leadTrace = parseTraceparent(traceparentOf(lead));
    return await context.with(trace.setSpan(context.active(), lead), () => requestContext.run({ requestId: first.id, tenantId: first.tenantId, ...(leadTrace ?? {}) }, work));
  } catch (error) {
    for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}
