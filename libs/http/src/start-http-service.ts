import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, jsonNestingDepth } from '@activity/domain';
import { MAX_PATH_PARAM_LENGTH, PROBLEM_CONTENT_TYPE, renderProblem } from './problem-details';
import { ProblemDetailsFilter, sendProblem } from './problem-details.filter';
import { assertEveryRouteDeclaresAccess } from './route-access';
import { activeTrace, httpRequestDuration, NestPinoLogger, parseTraceparent, requestContext, tracingEndpoint } from '@activity/observability';
import { PassThroughRpcErrors } from './pass-through-rpc-errors.filter';
import { createValidationPipe } from './validation.pipe';

export interface HttpServiceOptions {
  readonly module: object;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  /** Largest accepted request body; Fastify answers 413 above it. */
  readonly bodyLimit?: number;
  readonly shutdownGraceMs: number;
  /** The whole request (headers and body) must arrive within this; 408 otherwise. */
  readonly requestTimeoutMs?: number;
  /** false: Nest registers no body parsers (a service that must see raw bytes adds its own in `configure`). */
  readonly bodyParser?: boolean;
  /** Keep `request.rawBody` next to the parsed body (for signatures over the exact bytes). */
  readonly rawBody?: boolean;
  /**
   * A Nest microservice transport provided by the module (e.g. the Kafka consumer transport):
   * its `@EventPattern` handlers start after the app is initialised and before HTTP listens,
   * and stop before the shared connections close.
   */
  readonly transport?: Type<CustomTransportStrategy> | symbol;
  /** Hook for service-specific Fastify setup (content-type parsers, plugins). */
  readonly configure?: (fastify: FastifyInstance, app: NestFastifyApplication) => void | Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Starts a Nest app on Fastify the way every service here runs: JSON logs with request
 * context, one log line per request, problem+json errors everywhere (including Fastify's own
 * 404 and body errors), validation, metrics, and a bounded graceful shutdown on SIGTERM/SIGINT.
 */
export async function startHttpService(options: HttpServiceOptions): Promise<NestFastifyApplication> {
  const { logger } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  // The SDK itself starts in the app's instrumentation.ts, before anything it instruments is loaded.
  if (tracingEndpoint()) logger.info({ endpoint: tracingEndpoint() }, 'OpenTelemetry tracing on');
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // The whole request (headers and body) must arrive within this; a client trickling bytes
    // would otherwise hold a socket for minutes. Responses (SSE, long-poll) are not limited by it.
    requestTimeout: requestTimeoutMs,
    // Also given to Node's server constructor: Node reads requestTimeout only there (set later, as
    // Fastify does, it stays at the 60 s headers timeout), and looks for timed-out requests only
    // every connectionsCheckingInterval (30 s by default): look often enough to honour the timeout.
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(5_000, Math.ceil(requestTimeoutMs / 2)) },
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Errors Fastify raises before routing (bad percent-encoding, over-long path parameters).
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(error, request, reply, logger),
    // Errors Node raises while reading a request (timeout, oversized or malformed headers).
    clientErrorHandler: (error: Error & { code?: string }, socket: Duplex) => answerClientError(error as ClientError, socket, requestTimeoutMs),
    trustProxy: true,
    // On shutdown, drop idle keep-alive connections at once; requests in flight still complete.
    forceCloseConnections: 'idle',
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module as never, adapter, {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    // Our own JSON parser below, not Nest's: it bounds nesting before anything recurses into the body.
    bodyParser: false,
  });
  // Every controller of every feature module, as Nest resolved them.
  assertEveryRouteDeclaresAccess(
    [...app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()].map((wrapper) => wrapper.metatype as new (...args: never[]) => unknown)),
  );
  const fastify = app.getHttpAdapter().getInstance();
  if (options.bodyParser ?? true) registerJsonParser(fastify, options.rawBody ?? false);

  fastify.addHook('onRequest', async (request, reply) => {
    // With tracing on, the http instrumentation's server span (which honours the caller's
    // traceparent and sampled flag) is active here; without it, the caller's traceparent as is.
    const trace = activeTrace() ?? parseTraceparent(request.headers['traceparent'] as string | undefined);
    requestContext.enter({ requestId: String(request.id), ...(trace ?? {}) });
    void reply.header('x-request-id', request.id);
  });
  // helmet-style defaults: these are APIs, so nothing may frame, sniff or script them; /docs relaxes CSP for its own assets.
  fastify.addHook('onSend', async (request, reply) => {
    // While draining, ask keep-alive clients to go away after this response, so the server can close.
    if (draining) void reply.header('connection', 'close');
    void reply.headers({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'content-security-policy': request.url.startsWith('/docs')
        ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        : "default-src 'none'; frame-ancestors 'none'",
    });
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
    if (route.startsWith('/health') || route === '/metrics') return;
    logger.info({ method: request.method, url: request.url, route, statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
  // Fastify's own errors (bad JSON, body too large, 404) reach Nest's error handler, hence ProblemDetailsFilter.
  await options.configure?.(fastify, app);

  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  installShutdownDeadline(options.shutdownGraceMs, logger);

  if (options.transport) {
    const strategy = app.get<CustomTransportStrategy>(options.transport);
    // Deferred, so the filter is in place before the handlers are bound.
    const microservice = app.connectMicroservice({ strategy }, { deferInitialization: true });
    microservice.useGlobalFilters(new PassThroughRpcErrors());
    // The container is the app's: its lifecycle hooks run once, from the app, never again from the
    // microservice (deferred initialisation would otherwise start every scheduler a second time).
    (microservice as unknown as { setIsInitHookCalled(called: boolean): void }).setIsInitHookCalled(true);
    await app.init();
    await app.startAllMicroservices();
  }
  await app.listen(options.port, options.host);
  logger.info({ port: options.port }, 'listening');
  return app;
}

/**
 * Deeper JSON than any of our bodies needs is refused while still text: class-transformer, the
 * validators and JSON.stringify all recurse, and a 2,000-level body used to overflow the stack.
 */
export const MAX_JSON_BODY_DEPTH = 64;

function registerJsonParser(fastify: FastifyInstance, keepRawBody: boolean): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (keepRawBody) (request as { rawBody?: Buffer }).rawBody = bytes;
    const text = bytes.toString('utf8');
    if (jsonNestingDepth(text) > MAX_JSON_BODY_DEPTH) {
      done(new DomainError('malformed_json', { reason: `nested deeper than ${MAX_JSON_BODY_DEPTH} levels` }), undefined);
      return;
    }
    // Syntax errors and prototype poisoning alike: a malformed_json problem naming the reason.
    parse(request, text, (error: Error | null, value?: unknown) =>
      error ? done(error instanceof DomainError ? error : new DomainError('malformed_json', { reason: error.message }), undefined) : done(null, value),
    );
  });
}

type ClientError = Error & { code?: string; rawPacket?: Buffer };

/**
 * A problem+json answer written straight to the socket: there is no parsed request to reply
 * through. The language comes from the raw bytes' Accept-Language when they are there.
 */
function answerClientError(error: ClientError, socket: Duplex, requestTimeoutMs: number): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new DomainError('request_timeout', { timeoutSeconds: requestTimeoutMs / 1000 })
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new DomainError('header_fields_too_large')
        : new DomainError('bad_request', { reason: 'malformed HTTP request line or headers' });
  const acceptLanguage = /\r\naccept-language:[ \t]*([^\r\n]*)/i.exec(error.rawPacket?.toString('latin1') ?? '')?.[1];
  const rendered = renderProblem(problem, { headers: { 'accept-language': acceptLanguage } });
  const body = JSON.stringify(rendered.body);
  if (socket.writable) {
    const status = `${rendered.status} ${STATUS_CODES[rendered.status] ?? ''}`;
    const headers = Object.entries({ ...rendered.headers, 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    socket.write(`HTTP/1.1 ${status}\r\n${headers}\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Set on SIGTERM/SIGINT: responses from then on close their connection. */
let draining = false;

/** If Nest's orderly shutdown hangs (a stuck consumer, a slow request), exit anyway after the grace period. */
function installShutdownDeadline(graceMs: number, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      draining = true;
      logger.info({ signal, graceMs }, 'shutting down');
      setTimeout(() => {
        logger.error({ graceMs }, 'graceful shutdown took too long; exiting');
        process.exit(1);
      }, graceMs).unref();
    });
  }
}
