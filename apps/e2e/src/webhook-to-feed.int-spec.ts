import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { signStandardWebhook } from '@activity/connector-sdk';
import { assertValidPayload, createKafka, EventPublisher, eventTypeOf, fromKafkaHeaders, KafkaProbe, newCloudEvent, toKafkaHeaders, Topic, TopicNames } from '@activity/messaging';
import { createDataSource, SeedData } from '@activity/persistence';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

/**
 * The foundation path through all four real services, real Kafka, Postgres and Redis:
 * signed webhook -> ingest-gateway -> webhook.received -> connector-workers -> activity_events +
 * outbox -> outbox-relay -> feed.updated -> GET /v2/feed.
 */
describe('webhook to feed, end to end', () => {
  const environment = testEnvironment();
  const tenant = `e2e-${Date.now().toString(36)}`;
  const sourceId = `mc-${tenant}`;
  const secret = 'whsec_ZTJlLXRlc3Qtc2lnbmluZy1zZWNyZXQtMTIzNA==';
  const player = 'b0b00000-0000-4000-8000-00000000000b';
  const keyDir = `.local/test-keys-${process.pid}`;
  const encryptionKey = Buffer.alloc(32, 9).toString('base64');
  const env = {
    ...serviceEnvironment(environment),
    JWT_DEV_KEY_DIR: keyDir,
    SECRETS_ENCRYPTION_KEY: encryptionKey,
    SECRETS_ENCRYPTION_KEY_ID: 'e2e',
  };
  const services: ServiceProcess[] = [];
  let dataSource: DataSource;
  let probe: KafkaProbe;
  let gateway: ServiceProcess;
  let feedApi: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: environment.adminDatabaseUrl, applicationName: 'e2e-test' }).initialize();
    const seed = new SeedData(dataSource, { keyId: 'e2e', key: encryptionKey });
    await seed.webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId, name: 'E2E server' }, secret);
    await seed.accountLink({ tenantId: tenant, userId: 'bob', provider: 'minecraft', externalId: player });
    probe = await KafkaProbe.start(environment.kafkaBrokers, [
      `${environment.topicPrefix}feed.updated`,
      `${environment.topicPrefix}webhook.received`,
      `${environment.topicPrefix}webhook.received.dlq`,
    ]);
    const base = environment.portBase;
    [gateway, feedApi] = await Promise.all([ServiceProcess.start('ingest-gateway', base + 1, env), ServiceProcess.start('feed-api', base, env)]);
    services.push(gateway, feedApi);
    services.push(...(await Promise.all([ServiceProcess.start('connector-workers', base + 2, env), ServiceProcess.start('outbox-relay', base + 3, env)])));
    token = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'bob', issuer: 'activity-dev', audience: 'activity-service' });
  }, 120_000);

  afterAll(async () => {
    const exits = await Promise.all(services.map((service) => service.stop()));
    await probe?.stop();
    await dataSource?.destroy();
    // Every service shuts down in order on SIGTERM: connections closed, no SIGKILL needed.
    expect(exits).toEqual(services.map(() => ({ code: null, signal: 'SIGTERM' })));
    for (const service of services) expect(service.logs()).toContain('connections closed');
  }, 60_000);

  function body(type = 'player.advancement', extra: Record<string, unknown> = {}) {
    return JSON.stringify({
      type,
      occurredAt: new Date().toISOString(),
      server: { id: 'survival-1', name: 'Survival' },
      player: { uuid: player, name: 'bob_mc' },
      data: { advancement: { key: 'minecraft:story/mine_diamond', title: 'Diamonds!' }, message: 'bob_mc fell from a high place' },
      ...extra,
    });
  }

  function send(payload: string, options: { id?: string; secret?: string; timestamp?: number; contentType?: string; source?: string } = {}) {
    const id = options.id ?? `msg_${randomUUID()}`;
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(`${gateway.url}/v1/webhooks/minecraft/${options.source ?? sourceId}`, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(options.secret ?? secret, id, timestamp, payload),
      },
      body: payload,
    });
  }

  async function feed(query = ''): Promise<{ items: Array<{ id: string; type: string; summary: string; payload: Record<string, unknown> }> }> {
    const response = await fetch(`${feedApi.url}/v2/feed${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return response.json() as never;
  }

  /**
   * Sends one more valid delivery for bob's player and waits until its event is in the feed: a
   * barrier for negative checks, since deliveries of one player share a partition and are handled in order.
   */
  async function barrier(): Promise<void> {
    const id = `msg_${randomUUID()}`;
    expect((await send(body('player.quit'), { id })).status).toBe(202);
    await probe.waitForMessage('the barrier delivery', (m) => m.headers['ce_subject'] === id);
    await waitFor('the barrier event', async () => {
      const rows: unknown[] = await dataSource.query(`SELECT 1 FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`, [tenant, id]);
      return rows.length === 1 || undefined;
    });
  }

  it('starts all four services without one error- or warning-level line (KafkaJS, Fastify and Node included)', () => {
    for (const service of services) {
      const lines = service.logs().split('\n').filter(Boolean);
      expect(lines.some((line) => line.includes('"msg":"listening"'))).toBe(true);
      const loud = lines.filter((line) => /Warning|"level":(4|5|6)0/.test(line));
      expect({ service: service.name, loud }).toEqual({ service: service.name, loud: [] });
    }
  });

  it('delivers a signed webhook to the feed, through Kafka and the outbox', async () => {
    const deliveryId = `msg_${randomUUID()}`;
    const response = await send(body(), { id: deliveryId });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'accepted', deliveryId });

    const raw = await probe.waitForMessage('webhook.received', (m) => m.headers['ce_subject'] === deliveryId);
    expect(raw.key).toBe(`${tenant}:minecraft/${sourceId}:${player}`);
    expect(raw.headers).toMatchObject({ ce_tenantid: tenant, ce_type: 'dev.activity.webhook.received.v1', 'content-type': 'application/json' });

    const item = await waitFor('the event in the feed', async () => (await feed()).items.find((i) => i.payload['occurredAt'] && i.type === 'minecraft.player.advancement'));
    expect(item.summary).toBe('bob_mc made the advancement *Diamonds!* on Survival');

    const announced = await probe.waitForMessage('feed.updated for bob', (m) => m.key === `${tenant}:bob` && JSON.parse(m.value).eventIds.includes(item.id));
    const envelope = fromKafkaHeaders(announced.headers);
    expect(envelope).toMatchObject({ tenantId: tenant, subject: 'bob', source: '/connector-workers' });
    expect(() => assertValidPayload(Topic.FeedUpdated, envelope.type, JSON.parse(announced.value))).not.toThrow();
    // One trace from the webhook to feed.updated.
    expect(envelope.traceparent?.split('-')[1]).toBe(raw.headers['traceparent']?.split('-')[1]);

    const outbox = await waitFor('the outbox row to be marked sent', async () => {
      const rows: Array<{ status: string; sent_at: Date | null }> = await dataSource.query(`SELECT status, sent_at FROM outbox WHERE tenant_id = $1 AND payload->'eventIds' ? $2`, [
        tenant,
        item.id,
      ]);
      return rows[0]?.status === 'sent' ? rows[0] : undefined;
    });
    expect(outbox.sent_at).toBeInstanceOf(Date);
  });

  it('accepts a repeated webhook-id idempotently and stores one event', async () => {
    const deliveryId = `msg_${randomUUID()}`;
    const payload = body('player.joined');
    expect((await send(payload, { id: deliveryId })).status).toBe(202);
    const again = await send(payload, { id: deliveryId });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ status: 'duplicate', deliveryId });
    await waitFor('the joined event', async () => (await feed('?types=minecraft.player.joined')).items.length === 1);
    // A later delivery for the same player shares the partition: once it is stored, a (wrong) second event would be too.
    await barrier();
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`, [tenant, deliveryId]);
    expect(count).toBe(1);
  });

  it('rejects a bad signature with 401 and publishes nothing', async () => {
    const deliveryId = `msg_${randomUUID()}`;
    const response = await send(body(), { id: deliveryId, secret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'signature_invalid', status: 401 });
    // The gateway's next publish for the same key comes after anything it would have published for this one.
    await barrier();
    expect(probe.messages.some((m) => m.headers['ce_subject'] === deliveryId)).toBe(false);
  });

  it('rejects a stale timestamp with 401', async () => {
    const response = await send(body(), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'signature_expired' });
  });

  it('answers 400 with a clear, localised message for malformed and invalid bodies', async () => {
    const malformed = await send('{"type": "player.joined",');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'malformed_json', title: 'Malformed JSON' });

    const unknown = await send(body('player.chat'));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'unknown_event_type', detail: 'Event type "player.chat" is not supported by this connector.' });

    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const invalidBody = JSON.stringify({ type: 'player.joined', occurredAt: 'now', server: { id: 's' }, player: { uuid: 'nope', name: 'x' } });
    const invalid = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'accept-language': 'ru',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(secret, id, timestamp, invalidBody),
      },
      body: invalidBody,
    });
    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as { title: string; errors: Array<{ field: string; message: string }> };
    expect(problem.title).toBe('Некорректный запрос');
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['occurredAt', 'player.uuid']);
    // Ajv's keywords, in Russian too.
    expect(problem.errors.find((e) => e.field === 'player.uuid')?.message).toBe('player.uuid: неверный формат');
  });

  it('answers 404 for an unknown source or connector, 415 for a non-JSON body', async () => {
    expect((await send(body(), { source: 'no-such-source' })).status).toBe(404);
    const connector = await fetch(`${gateway.url}/v1/webhooks/telegraph/${sourceId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(connector.status).toBe(404);
    expect(await connector.json()).toMatchObject({ code: 'unknown_connector' });
    expect((await send(body(), { contentType: 'text/plain' })).status).toBe(415);
  });

  it('keeps the feed private to the token: another user of the tenant sees nothing', async () => {
    const other = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'mallory', issuer: 'activity-dev', audience: 'activity-service' });
    const response = await fetch(`${feedApi.url}/v2/feed`, { headers: { authorization: `Bearer ${other}` } });
    expect(await response.json()).toMatchObject({ items: [], nextCursor: null, headCursor: null });
    const anonymous = await fetch(`${feedApi.url}/v2/feed`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('answers 503 with Retry-After, and acknowledges nothing, when Kafka does not acknowledge', async () => {
    const isolated = await ServiceProcess.start(
      'ingest-gateway',
      environment.portBase + 9,
      { ...env, KAFKA_BROKERS: '127.0.0.1:1', KAFKA_PUBLISH_TIMEOUT_MS: '1500' },
      { waitFor: 'live' },
    );
    try {
      const id = `msg_${randomUUID()}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const payload = body();
      const response = await fetch(`${isolated.url}/v1/webhooks/minecraft/${sourceId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(secret, id, timestamp, payload),
        },
        body: payload,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ code: 'dependency_unavailable' });
      // The claim was released: the sender's retry to a healthy gateway is processed, not swallowed as a duplicate.
      const retry = await fetch(`${gateway.url}/v1/webhooks/minecraft/${sourceId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(secret, id, timestamp, payload),
        },
        body: payload,
      });
      expect(await retry.json()).toEqual({ status: 'accepted', deliveryId: id });
    } finally {
      await isolated.stop();
    }
  });

  it('sends a malformed webhook.received to its DLQ and processes the next message', async () => {
    const producer = new EventPublisher(
      createKafka({ brokers: environment.kafkaBrokers, clientId: 'e2e-producer' }, pino({ level: 'silent' })),
      new TopicNames(environment.topicPrefix),
    );
    const deliveryId = `msg_${randomUUID()}`;
    const key = `${tenant}:minecraft/${sourceId}:${player}`;
    const envelope = (id: string) => toKafkaHeaders(newCloudEvent({ id, type: eventTypeOf(Topic.WebhookReceived), source: '/e2e', subject: id, tenantId: tenant }));
    try {
      await producer.publish([
        { topic: Topic.WebhookReceived, key, headers: envelope(`bad-${deliveryId}`), value: '{"connector": "minecraft", ' },
        {
          topic: Topic.WebhookReceived,
          key,
          headers: envelope(deliveryId),
          value: JSON.stringify({ connector: 'minecraft', sourceId, deliveryId, receivedAt: new Date().toISOString(), body: JSON.parse(body('player.quit')) }),
        },
      ]);
    } finally {
      await producer.disconnect();
    }
    const dead = await probe.waitForMessage(
      'the malformed message in webhook.received.dlq',
      (m) => m.topic.endsWith('webhook.received.dlq') && m.headers['ce_id'] === `bad-${deliveryId}`,
    );
    expect(dead.headers).toMatchObject({ dlq_reason: 'malformed_json', dlq_original_topic: 'webhook.received', dlq_consumer_group: 'connector-workers.webhooks' });
    await waitFor('the next message to become an event', async () => {
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`, [tenant, deliveryId]);
      return count === 1;
    });
  });

  it('lets a plain kcat consumer read feed.updated with the documented headers and a schema-valid payload', async () => {
    const kcat = await promisify(execFile)('kcat', ['-b', environment.kafkaBrokers, '-C', '-t', `${environment.topicPrefix}feed.updated`, '-o', 'beginning', '-e', '-q', '-J'], {
      timeout: 30_000,
      maxBuffer: 256 * 1024 * 1024,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error('kcat is not installed (Debian package kcat); .ci/run installs it');
      throw error;
    });
    // Other suites put deliberately malformed messages on the same topic: read only this tenant's records.
    const records = kcat.stdout
      .trim()
      .split('\n')
      .filter((line) => line.includes(`"${tenant}:bob"`))
      .map((line) => JSON.parse(line) as { key: string; payload: string; headers: string[] });
    const ours = records.filter((record) => record.key === `${tenant}:bob`);
    expect(ours.length).toBeGreaterThan(0);
    // The schema as published in the AsyncAPI document, which is all an outside consumer has.
    const schema = (JSON.parse(readFileSync('docs/asyncapi.json', 'utf8')) as { components: { messages: { feedUpdatedV1: { payload: object } } } }).components.messages
      .feedUpdatedV1.payload;
    const ajv = new Ajv({ strict: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    for (const record of ours) {
      const headers: Record<string, string> = {};
      for (let i = 0; i < record.headers.length; i += 2) headers[record.headers[i]!] = record.headers[i + 1]!;
      expect(headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'dev.activity.feed.updated.v1', ce_tenantid: tenant, ce_subject: 'bob', 'content-type': 'application/json' });
      expect(headers['ce_id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(validate(JSON.parse(record.payload))).toBe(true);
    }
  });

  it('keeps events of unlinked players on the tenant feed only, announcing nothing', async () => {
    const stranger = 'c0ffee00-0000-4000-8000-00000000000c';
    const deliveryId = `msg_${randomUUID()}`;
    const payload = JSON.stringify({ ...JSON.parse(body('player.joined')), player: { uuid: stranger, name: 'stranger' } });
    expect((await send(payload, { id: deliveryId })).status).toBe(202);
    const rows = await waitFor('the stranger event', async () => {
      const found: Array<{ user_id: string | null; id: string }> = await dataSource.query(
        `SELECT user_id, id::text AS id FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`,
        [tenant, deliveryId],
      );
      return found.length ? found : undefined;
    });
    expect(rows[0]!.user_id).toBeNull();
    // An announcement would have been written with the event, in the same transaction: there is none.
    const announcements = await dataSource.query(`SELECT id FROM outbox WHERE tenant_id = $1 AND topic = 'feed.updated' AND payload->'eventIds' ? $2`, [tenant, rows[0]!.id]);
    expect(announcements).toEqual([]);
    // Only this tenant's messages: other suites put deliberately malformed values on the same topic.
    expect(probe.messages.some((m) => m.topic.endsWith('feed.updated') && m.key?.startsWith(`${tenant}:`) && JSON.parse(m.value).eventIds.includes(rows[0]!.id))).toBe(false);
    expect((await feed()).items.some((item) => item.id === rows[0]!.id)).toBe(false);
  });

  it("links a player who types their code in game: the server's signed webhook is the proof", async () => {
    const claimer = await issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'carol', issuer: 'activity-dev', audience: 'activity-service' });
    const carol = 'ca201000-0000-4000-8000-0000000000ca';
    const claim = await fetch(`${feedApi.url}/v2/accounts/minecraft`, {
      method: 'POST',
      headers: { authorization: `Bearer ${claimer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account: carol }),
    });
    expect(claim.status).toBe(202);
    const { code } = (await claim.json()) as { code: string };
    const linkDelivery = (player: string, typed: string) =>
      JSON.stringify({
        type: 'player.link',
        occurredAt: new Date().toISOString(),
        server: { id: 'survival-1' },
        player: { uuid: player, name: 'carol_mc' },
        data: { code: typed },
      });
    const linksOf = async () =>
      (await dataSource.query(`SELECT user_id FROM account_links WHERE tenant_id = $1 AND external_id = $2 AND status <> 'revoked'`, [tenant, carol])) as Array<{
        user_id: string;
      }>;
    // The right code typed by another player, and a wrong code by carol: neither links.
    expect((await send(linkDelivery(player, code))).status).toBe(202);
    expect((await send(linkDelivery(carol, 'ZZZZ-ZZZZ'))).status).toBe(202);
    // carol types it (any case, without the dash): the link appears.
    expect((await send(linkDelivery(carol, code.replace('-', '').toLowerCase()))).status).toBe(202);
    await waitFor("carol's link", async () => ((await linksOf()).length ? true : undefined));
    expect(await linksOf()).toEqual([{ user_id: 'carol' }]);
    // The code is spent, and a link request produces no feed event.
    expect(await dataSource.query(`SELECT 1 FROM account_link_claims WHERE tenant_id = $1 AND external_id = $2`, [tenant, carol])).toEqual([]);
    expect(await dataSource.query(`SELECT 1 FROM activity_events WHERE tenant_id = $1 AND type LIKE 'minecraft.player.link%'`, [tenant])).toEqual([]);
  });

  it('refuses at the gateway what the database could not store, and stores everything it acknowledged', async () => {
    const hostile: Array<[string, string, string?]> = [
      ['NUL in a string', body('player.death', { data: { message: 'bob\u0000fell' } })],
      ['a lone surrogate', body('player.death', { data: { message: 'bob \ud800 fell' } })],
      ['year 0', body('player.joined', { occurredAt: '0000-01-01T00:00:00Z' })],
      ['a leap second', body('player.joined', { occurredAt: '2026-12-31T23:59:60Z' })],
      ['far in the future', body('player.joined', { occurredAt: '9999-12-31T23:59:59Z' })],
      ['a 3,000-character delivery id', body('player.joined'), `msg_${'x'.repeat(3000)}`],
      ['a 6,000-level nesting', `${body('player.joined').slice(0, -1)},"extra":${'['.repeat(6000)}${']'.repeat(6000)}}`],
    ];
    for (const [what, payload, id] of hostile) {
      const response = await send(payload, id ? { id } : {});
      expect([what, response.status, response.headers.get('content-type')]).toEqual([what, 400, expect.stringContaining('application/problem+json')]);
    }
    // A valid delivery right after them is not held up behind anything.
    const deliveryId = `msg_${randomUUID()}`;
    expect((await send(body('player.joined'), { id: deliveryId })).status).toBe(202);
    await waitFor(
      'the valid delivery',
      async () => ((await dataSource.query(`SELECT 1 FROM activity_events WHERE tenant_id = $1 AND source_event_id = $2`, [tenant, deliveryId])).length ? true : undefined),
      10_000,
    );
  });

  it('accepts both secrets of a source during a rotation, and only the new one after the grace period', async () => {
    const store = new SeedData(dataSource, { keyId: 'e2e', key: encryptionKey }).webhookSourceStore();
    const rotated = 'whsec_cm90YXRlZC1zZWNyZXQtZm9yLXRoZS1lMmUtdGVzdA==';
    expect(await store.rotate('minecraft', sourceId, rotated, 1)).toBe(1);
    // The gateway caches the source's secrets: the new one works at once, before or after the NOTIFY arrives.
    expect((await send(body('player.quit'), { secret: rotated })).status).toBe(202);
    expect((await send(body('player.quit'))).status).toBe(202);
    // Ending the grace period by hand is heard through NOTIFY (the cache's TTL is a minute).
    await dataSource.query(`UPDATE webhook_source_secrets SET expires_at = now() - interval '1 second' WHERE source_id = $1 AND expires_at IS NOT NULL`, [sourceId]);
    await waitFor('the expired secret refused', async () => (await send(body('player.quit'))).status === 401, 3_000);
    expect((await send(body('player.quit'), { secret: rotated })).status).toBe(202);
  });

  // Timeouts below the cache's own (5 s for a miss, 60 s otherwise): only the NOTIFY can make these pass.
  it('serves a source created after a miss, and stops serving a disabled one, without waiting for the cache to expire', async () => {
    const late = `late-${tenant}`;
    expect((await send(body('player.quit'), { source: late })).status).toBe(404);
    await new SeedData(dataSource, { keyId: 'e2e', key: encryptionKey }).webhookSource({ tenantId: tenant, connector: 'minecraft', sourceId: late, name: 'Late server' }, secret);
    await waitFor('the new source accepted', async () => (await send(body('player.quit'), { source: late })).status === 202, 3_000);
    await dataSource.query(`UPDATE webhook_sources SET status = 'disabled' WHERE connector = 'minecraft' AND id = $1`, [late]);
    await waitFor('the disabled source refused', async () => (await send(body('player.quit'), { source: late })).status === 404, 3_000);
  });
});
