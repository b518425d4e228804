import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
}

/** Receives OTLP/HTTP JSON trace exports (POST /v1/traces) and keeps the spans, for trace assertions. */
export class FakeOtlpCollector {
  readonly spans: CollectedSpan[] = [];
  url = '';

  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as {
            resourceSpans?: Array<{
              resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
              scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string }> }>;
            }>;
          };
          for (const resourceSpans of body.resourceSpans ?? []) {
            const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? 'unknown';
            for (const scope of resourceSpans.scopeSpans ?? []) {
              for (const span of scope.spans ?? []) {
                this.spans.push({ service, traceId: span.traceId, spanId: span.spanId, ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}), name: span.name });
              }
            }
          }
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{}');
        } catch {
          response.writeHead(400);
          response.end();
        }
      });
    });
  }

  static async start(): Promise<FakeOtlpCollector> {
    const collector = new FakeOtlpCollector();
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    collector.url = `http://127.0.0.1:${(collector.server.address() as AddressInfo).port}`;
    return collector;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
