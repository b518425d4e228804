import pino, { type Logger } from 'pino';
import { requestContext } from './request-context';

/** Paths that must never reach a log line, whatever logged them. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["webhook-signature"]',
  'req.headers["x-internal-signature"]',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.token',
  '*.apiKey',
];

/**
 * JSON logs to stdout: timestamp, level, service, and the request context (request id, tenant,
 * trace and span ids) merged into every line.
 */
export function createLogger(service: string, level = 'info'): Logger {
  // Synchronous writes: Nest re-raises SIGTERM after shutdown, which would drop a buffered tail of the log.
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin() {
        const context = requestContext.current();
        if (!context) return {};
        const fields: Record<string, string> = {};
        if (context.requestId) fields['requestId'] = context.requestId;
        if (context.tenantId) fields['tenantId'] = context.tenantId;
        if (context.traceId) fields['traceId'] = context.traceId;
        if (context.spanId) fields['spanId'] = context.spanId;
        return fields;
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
