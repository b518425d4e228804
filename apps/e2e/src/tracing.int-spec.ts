import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { signStandardWebhook } from '@activity/connector-sdk';
import { createDataSource, SeedData } from '@activity/persistence';
import { FakeOtlpCollector, ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/** One webhook, one trace: spans from all four services share the webhook request's trace id. */
describe('trace propagation across the four services (OpenTelemetry, OTLP)', () => {
  const environment = testEnvironment();
  const tenant = `trace-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const secret = 'whsec_dHJhY2UtcHJvcGFnYXRpb24tdGVzdC1zZWNyZXQ=';
  const key = Buffer.alloc(32, 5).toString('base64');
  const keyDir = `.local/test-keys-${process.pid}`;
  const services: ServiceProcess[] = [];
  let collector: FakeOtlpCollector;
  let admin: DataSource;

  beforeAll(async () => {
    collector = await FakeOtlpCollector.start();
    admin = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'trace-test' }).initialize();
    const seed = new SeedData(admin, { keyId: 'trace', key });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'Trace test' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'tracy', provider: 'minecraft', externalId: 'e0e0e0e0-0000-4000-8000-00000000000e' });
    const env = {
      ...serviceEnvironment(environment),
      SECRETS_ENCRYPTION_KEY: key,
      SECRETS_ENCRYPTION_KEY_ID: 'trace',
      JWT_DEV_KEY_DIR: keyDir,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    const base = environment.portBase + 80;
    services.push(
      ...(await Promise.all((['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay'] as const).map((name, i) => ServiceProcess.start(name, base + i, env)))),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await collector.stop();
    await admin.destroy();
  }, 60_000);

  function sendWebhook(traceId: string, flags = '01') {
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'player.joined',
      occurredAt: new Date().toISOString(),
      server: { id: 's' },
      player: { uuid: 'e0e0e0e0-0000-4000-8000-00000000000e', name: 'tracy' },
    });
    return fetch(`${services[1]!.url}/v1/webhooks/minecraft/${sourceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`,
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
      },
      body,
    });
  }

  it('finds the webhook trace id in spans of feed-api, ingest-gateway, connector-workers and outbox-relay', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await sendWebhook(traceId);
    expect(response.status).toBe(202);
    const services4 = await waitFor(
      'spans of the trace from all four services',
      () => {
        const seen = new Set(collector.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
        return seen.size === 4 ? seen : undefined;
      },
      30_000,
      200,
    );
    expect([...services4].sort()).toEqual(['connector-workers', 'feed-api', 'ingest-gateway', 'outbox-relay']);
    // The spans form one chain: every span but the gateway's server span has a parent inside the trace.
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    expect(roots.map((s) => s.service)).toEqual(['ingest-gateway']);
  });

  it('instruments the libraries: Fastify, PostgreSQL, Redis and KafkaJS spans join the webhook trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    expect((await sendWebhook(traceId)).status).toBe(202);
    const names = await waitFor(
      'library spans of the trace',
      () => {
        const seen = collector.spans.filter((s) => s.traceId === traceId).map((s) => `${s.service} ${s.name}`);
        const wanted = [
          /^ingest-gateway send .*webhook\.received$/,
          /^connector-workers process .*webhook\.received$/,
          /^connector-workers (pg\.query|BEGIN|INSERT|SELECT)/,
          /^feed-api process .*feed\.updated$/,
          /^ingest-gateway (set|get|eval|evalsha)\b/i,
          // http's server span, and @fastify/otel's request and handler spans under it.
          /^ingest-gateway POST/,
          /^ingest-gateway request$/,
          /^ingest-gateway handler - /,
        ];
        return wanted.every((pattern) => seen.some((name) => pattern.test(name))) ? seen : undefined;
      },
      30_000,
      200,
    );
    expect(names.length).toBeGreaterThanOrEqual(8);
  });

  it("honours a caller's not-sampled flag: nothing of that trace is exported, from any service", async () => {
    const unsampled = randomBytes(16).toString('hex');
    expect((await sendWebhook(unsampled, '00')).status).toBe(202);
    // A sampled webhook sent after it has travelled all four services: the unsampled one has too.
    const sampled = randomBytes(16).toString('hex');
    expect((await sendWebhook(sampled)).status).toBe(202);
    await waitFor(
      'the sampled trace in all four services',
      () => new Set(collector.spans.filter((s) => s.traceId === sampled).map((s) => s.service)).size === 4 || undefined,
      30_000,
      200,
    );
    expect(collector.spans.filter((s) => s.traceId === unsampled)).toEqual([]);
  });

  it('ends the server span of an SSE stream when the client goes away', async () => {
    const token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'tracy', issuer: 'activity-dev', audience: 'activity-service' });
    const traceId = randomBytes(16).toString('hex');
    const abort = new AbortController();
    const response = await fetch(`${services[0]!.url}/v2/feed/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    abort.abort();
    // Exported only once ended: its arrival is the proof.
    const span = await waitFor(
      'the ended server span of the stream request',
      () => collector.spans.find((s) => s.traceId === traceId && s.service === 'feed-api' && /^GET\b/.test(s.name)),
      30_000,
      200,
    );
    expect(span.parentSpanId).toBeDefined();
  });
});
