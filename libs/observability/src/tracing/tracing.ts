import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import type * as FastifyOtel from '@fastify/otel';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as HttpInstrumentation from '@opentelemetry/instrumentation-http';
import type * as IORedisInstrumentation from '@opentelemetry/instrumentation-ioredis';
import type * as KafkaJsInstrumentation from '@opentelemetry/instrumentation-kafkajs';
import type * as PgInstrumentation from '@opentelemetry/instrumentation-pg';
import type * as UndiciInstrumentation from '@opentelemetry/instrumentation-undici';
import type * as SdkNode from '@opentelemetry/sdk-node';

export { SpanKind };

const tracer = () => trace.getTracer('activity-service');
let sdkShutdown: (() => Promise<void>) | undefined;
let endpoint: string | undefined;

/** Requests that are not work: probes and scrapes would drown the traces. */
const UNTRACED_PATHS = /^\/(health\/|metrics$)/;

/**
 * A message continues the trace it was written in (an outbox row keeps the traceparent of the
 * transaction that wrote it), not whatever context the relay happens to publish from. The KafkaJS
 * instrumentation writes its own producer span into `traceparent`; this puts the pinned one back.
 */
const pinned = new WeakMap<object, string>();
export function pinTraceparent(message: { headers?: unknown }, traceparent: string | undefined): void {
  if (traceparent) pinned.set(message, traceparent);
}

/**
 * Starts the OpenTelemetry SDK with auto-instrumentation (http, undici/fetch, pg, ioredis, KafkaJS,
 * Fastify) when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; the standard OTEL_* variables tune it). Must run before the
 * instrumented modules are loaded: each app's `instrumentation.ts` is the first import of its main.
 * The default sampler is parent-based, so a caller's sampled flag is honoured. Off by default: the
 * API is then a no-op and only our own W3C traceparent propagation runs.
 */
export function startTracing(service: string): boolean {
  endpoint = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!endpoint || process.env['OTEL_SDK_DISABLED'] === 'true') {
    endpoint = undefined;
    return false;
  }
  // Loaded only when enabled: the SDK is large and most runs do not need it.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const { HttpInstrumentation: Http } = require('@opentelemetry/instrumentation-http') as typeof HttpInstrumentation;
  const { UndiciInstrumentation: Undici } = require('@opentelemetry/instrumentation-undici') as typeof UndiciInstrumentation;
  const { PgInstrumentation: Pg } = require('@opentelemetry/instrumentation-pg') as typeof PgInstrumentation;
  const { IORedisInstrumentation: IORedis } = require('@opentelemetry/instrumentation-ioredis') as typeof IORedisInstrumentation;
  const { KafkaJsInstrumentation: KafkaJs } = require('@opentelemetry/instrumentation-kafkajs') as typeof KafkaJsInstrumentation;
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof FastifyOtel;
  const sdk = new NodeSDK({
    serviceName: service,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new Http({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? '') }),
      new Undici(),
      new Pg({ requireParentSpan: true }),
      new IORedis({ requireParentSpan: true }),
      new KafkaJs({
        producerHook: (_span, { message }) => {
          const traceparent = pinned.get(message);
          if (traceparent && message.headers) message.headers['traceparent'] = traceparent;
        },
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (options) => UNTRACED_PATHS.test(options.url) }),
    ],
  });
  sdk.start();
  sdkShutdown = () => sdk.shutdown();
  return true;
}

/** Where spans go, when tracing is on (for the start-up log line). */
export function tracingEndpoint(): string | undefined {
  return endpoint;
}

/** Flushes and stops the SDK (called at shutdown, so the last spans are not lost). */
export async function shutdownTracing(): Promise<void> {
  await sdkShutdown?.().catch(() => undefined);
  sdkShutdown = undefined;
}

function parentContext(traceparent: string | undefined) {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
}

/** Starts a span (child of `traceparent` if given) that the caller ends; for work no library instruments. */
export function startSpan(name: string, kind: SpanKind, traceparent: string | undefined, attributes: Attributes = {}): Span {
  return tracer().startSpan(name, { kind, attributes }, parentContext(traceparent));
}

/** The trace and span the current code runs in (an instrumentation's span), if tracing is on and there is one. */
export function activeTrace(): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId, sampled: (spanContext.traceFlags & 1) === 1 };
}

/** The W3C traceparent of a span, for the message or row it produces. */
export function traceparentOf(span: Span): string | undefined {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 1).toString()}`;
}
