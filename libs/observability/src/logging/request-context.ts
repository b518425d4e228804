import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and outgoing message of one request or message should carry. */
export interface RequestContext {
  requestId?: string;
  tenantId?: string;
  traceId?: string;
  spanId?: string;
  /** The W3C sampled flag of the trace; false only when a caller said not to sample. */
  sampled?: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, work: () => T): T {
    return storage.run(context, work);
  },
  /** Enters a context for the rest of the current async chain (used from Fastify hooks). */
  enter(context: RequestContext): void {
    storage.enterWith(context);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  /** Adds fields (e.g. the tenant once the token is verified) to the active context. */
  assign(fields: Partial<RequestContext>): void {
    const store = storage.getStore();
    if (store) Object.assign(store, fields);
  },
};

/** Parses a W3C traceparent header ("00-<32 hex trace>-<16 hex span>-<2 hex flags>"). */
export function parseTraceparent(header: string | undefined): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = header ? /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

/**
 * A W3C traceparent for a message produced now: the current trace and span (the request's or the
 * message's being handled, or our span around it when tracing is on) become its parent; without
 * any, a new trace. Keeps one trace id from webhook to feed.
 */
export function childTraceparent(): string {
  const context = requestContext.current();
  const traceId = context?.traceId ?? randomBytes(16).toString('hex');
  const spanId = context?.traceId && context.spanId ? context.spanId : randomBytes(8).toString('hex');
  // The parent's decision travels with the trace: what a caller did not sample stays unsampled.
  return `00-${traceId}-${spanId}-${context?.traceId && context.sampled === false ? '00' : '01'}`;
}
