import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type { Logger } from 'pino';
import { requestContext } from '../logging/request-context';

export { SpanKind };

const tracer = () => trace.getTracer('activity-service');
let sdkShutdown: (() => Promise<void>) | undefined;

/**
 * Starts the OpenTelemetry SDK when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; the standard OTEL_* variables tune it). Off by default: then
 * the API is a no-op and only our own W3C traceparent propagation runs.
 */
export function startTracing(service: string, logger: Logger): boolean {
  if (!process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] && !process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return false;
  if (process.env['OTEL_SDK_DISABLED'] === 'true') return false;
  // Loaded only when enabled: the SDK is large and most runs do not need it.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const sdk = new NodeSDK({ serviceName: service, traceExporter: new OTLPTraceExporter(), instrumentations: [] });
  sdk.start();
  sdkShutdown = () => sdk.shutdown();
  logger.info({ endpoint: process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] }, 'OpenTelemetry tracing on');
  return true;
}

/** Flushes and stops the SDK (called at shutdown, so the last spans are not lost). */
export async function shutdownTracing(): Promise<void> {
  await sdkShutdown?.().catch(() => undefined);
  sdkShutdown = undefined;
}

function parentContext(traceparent: string | undefined) {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
}

/** Puts a span's ids in the log context, so log lines and spans share the trace and span ids. */
function adopt(span: Span): void {
  const spanContext = span.spanContext();
  if (trace.isSpanContextValid(spanContext)) requestContext.assign({ traceId: spanContext.traceId, spanId: spanContext.spanId });
}

/** Starts a span (child of `traceparent` if given) that the caller ends; for work that spans hooks, like an HTTP request. */
export function startSpan(name: string, kind: SpanKind, traceparent: string | undefined, attributes: Attributes = {}): Span {
  const span = tracer().startSpan(name, { kind, attributes }, parentContext(traceparent));
  adopt(span);
  return span;
}

/** Runs `work` in a span (child of `traceparent` if given), recording failures. */
export function inSpan<T>(name: string, kind: SpanKind, traceparent: string | undefined, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parentContext(traceparent), async (span) => {
    adopt(span);
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The W3C traceparent of a span, for the message or row it produces. */
export function traceparentOf(span: Span): string | undefined {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 1).toString()}`;
}
