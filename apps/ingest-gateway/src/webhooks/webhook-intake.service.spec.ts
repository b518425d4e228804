import pino from 'pino';
import { defineConnector, defineEventType, type IncomingWebhook, type WebhookScheme } from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import type { EventPublisher, OutgoingMessage } from '@activity/messaging';
import type { ActiveWebhookSource, WebhookSourceCache } from '@activity/persistence';
import { ConnectorRegistry, RegisteredConnector } from '@activity/use-cases';
import type { IngestGatewayConfig } from '../ingest-gateway.config';
import { DeliveryDeduplicator } from './delivery-deduplicator';
import { WebhookIntakeService } from './webhook-intake.service';

const logger = pino({ level: 'silent' });
const eventType = defineEventType({ type: 'demo.thing.done', description: 'd', payloadSchema: { type: 'object' } as never });

/** A scheme that accepts bodies whose signature is one of the source's secrets, answers GET ?challenge= and a `ping` header. */
const scheme: WebhookScheme = {
  handshake: (request) =>
    request.method === 'GET' ? { status: 200, contentType: 'text/plain', body: request.query['challenge'] ?? '' } : request.headers['x-ping'] ? { status: 204 } : null,
  verify: (request, secrets) => {
    if (!secrets.includes(request.headers['x-signature'] ?? '')) throw new DomainError('signature_invalid');
    return { deliveryId: request.headers['x-id']!, body: { who: 'p1' }, accountKey: 'p1' };
  },
  normalize: (delivery) => [
    { source: 'demo', sourceEventId: delivery.deliveryId, type: eventType.type, externalAccountId: 'p1', actor: { type: 'Person', id: 'p1' }, occurredAt: new Date(), payload: {} },
  ],
};

function intake(
  options: {
    publish?: (messages: readonly OutgoingMessage[]) => Promise<void>;
    webhook?: boolean;
    /** The secrets the cache holds, and those the database has (a fresh lookup). */
    secrets?: { cached: string[]; fresh: string[] };
  } = {},
) {
  const lookups: Array<'cached' | 'fresh'> = [];
  const definition = defineConnector({
    name: 'demo',
    displayName: 'Demo',
    capabilities: { webhook: options.webhook ?? true, sync: false, requiresAuth: false },
    eventTypes: [eventType],
    create: () => ({ webhook: scheme }),
  });
  const registry = new ConnectorRegistry([new RegisteredConnector(definition, { webhook: scheme })]);
  const sources = {
    findActive: async (_connector: string, sourceId: string, { fresh = false } = {}): Promise<ActiveWebhookSource | null> => {
      lookups.push(fresh ? 'fresh' : 'cached');
      const secrets = options.secrets ? options.secrets[fresh ? 'fresh' : 'cached'] : ['ok'];
      return sourceId === 'src' ? { tenantId: 't1', connector: 'demo', sourceId, settings: {}, secrets } : null;
    },
  } as Pick<WebhookSourceCache, 'findActive'>;
  const published: OutgoingMessage[] = [];
  const publisher = { publish: options.publish ?? (async (messages: readonly OutgoingMessage[]) => void published.push(...messages)) } as unknown as EventPublisher;
  const service = new WebhookIntakeService(
    registry,
    sources,
    new DeliveryDeduplicator(null, 60, logger),
    publisher,
    { KAFKA_PUBLISH_TIMEOUT_MS: 1000 } as IngestGatewayConfig,
    logger,
    // No handshake of these schemes asks for its source's subscriptions.
    {} as never,
    {} as never,
    {} as never,
  );
  return { service, published, lookups };
}

const request = (overrides: Partial<IncomingWebhook> = {}): IncomingWebhook => ({
  method: 'POST',
  headers: { 'x-signature': 'ok', 'x-id': 'd-1' },
  query: {},
  body: Buffer.from('{}'),
  ...overrides,
});
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );

describe('WebhookIntakeService', () => {
  it('publishes a verified delivery on webhook.received, keyed by tenant, source and account', async () => {
    const { service, published } = intake();
    await expect(service.receive('demo', 'src', request())).resolves.toEqual({ status: 'accepted', deliveryId: 'd-1' });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ topic: 'webhook.received', key: 't1:demo/src:p1' });
    expect(JSON.parse(String(published[0]!.value))).toMatchObject({ connector: 'demo', sourceId: 'src', deliveryId: 'd-1', body: { who: 'p1' } });
  });

  it('answers handshakes with the connector’s exact reply and publishes nothing', async () => {
    const { service, published } = intake();
    await expect(service.receive('demo', 'src', request({ method: 'GET', query: { challenge: 'abc' } }))).resolves.toEqual({ status: 200, contentType: 'text/plain', body: 'abc' });
    await expect(service.receive('demo', 'src', request({ headers: { 'x-ping': '1' } }))).resolves.toEqual({ status: 204 });
    expect(published).toEqual([]);
  });

  it('refuses unknown connectors, connectors without webhooks, unknown sources and bad signatures', async () => {
    expect(await codeOf(intake().service.receive('nope', 'src', request()))).toBe('unknown_connector');
    expect(await codeOf(intake({ webhook: false }).service.receive('demo', 'src', request()))).toBe('unknown_connector');
    expect(await codeOf(intake().service.receive('demo', 'other', request()))).toBe('webhook_source_not_found');
    expect(await codeOf(intake().service.receive('demo', 'src', request({ headers: { 'x-signature': 'bad', 'x-id': 'd' } })))).toBe('signature_invalid');
  });

  it('checks a signature the cached secrets refuse once more against the database, so a secret added a moment ago works', async () => {
    const rotated = intake({ secrets: { cached: ['old'], fresh: ['new', 'old'] } });
    await expect(rotated.service.receive('demo', 'src', request({ headers: { 'x-signature': 'new', 'x-id': 'd-2' } }))).resolves.toMatchObject({ status: 'accepted' });
    expect(rotated.lookups).toEqual(['cached', 'fresh']);

    const unchanged = intake({ secrets: { cached: ['old'], fresh: ['old'] } });
    expect(await codeOf(unchanged.service.receive('demo', 'src', request({ headers: { 'x-signature': 'forged', 'x-id': 'd-3' } })))).toBe('signature_invalid');
    expect(unchanged.lookups).toEqual(['cached', 'fresh']);

    const good = intake({ secrets: { cached: ['old'], fresh: ['new'] } });
    await good.service.receive('demo', 'src', request({ headers: { 'x-signature': 'old', 'x-id': 'd-4' } }));
    expect(good.lookups).toEqual(['cached']);
  });

  it('acknowledges nothing Kafka did not take: a failed publish is a 503 problem', async () => {
    const { service } = intake({ publish: async () => Promise.reject(new Error('broker down')) });
    expect(await codeOf(service.receive('demo', 'src', request()))).toBe('dependency_unavailable');
  });
});
