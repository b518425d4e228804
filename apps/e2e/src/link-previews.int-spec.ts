import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueDevToken, loadOrCreateDevKeyPair, signInternalRequest } from '@activity/auth';
import { ServiceProcess, serviceEnvironment, testEnvironment, waitFor } from '@activity/testing';

interface Item {
  id: string;
  linkPreviews?: Array<{ url: string; title: string; image?: string; siteName?: string; source: string }>;
}

/**
 * Links in an event's text gain previews after the event is stored: feed-api records an internal
 * event, connector-workers fetch the page (a loopback server on the test-only allow-list), attach
 * the preview and announce it; the feed item carries it and an open SSE stream gets
 * `item.updated`. A link to a loopback server that is not allow-listed gets nothing, and that
 * server never sees a request.
 */
describe('link previews, end to end', () => {
  const environment = testEnvironment();
  const tenant = `previews-${Date.now().toString(36)}`;
  const keyDir = `.local/test-keys-${process.pid}`;
  const internalKey = { id: 'previews-key', secret: Buffer.from('previews-internal-secret-0123456').toString('base64') };
  const policyFile = `.local/previews-policy-${process.pid}.json`;
  const services: ServiceProcess[] = [];
  let feedApi: ServiceProcess;
  let workers: ServiceProcess;
  let site: Server;
  let sitePort: number;
  let privateServer: Server;
  let privatePort: number;
  const privateRequests: string[] = [];

  async function listen(server: Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function record(text: string): Promise<string> {
    const body = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      tenantId: tenant,
      userId: 'alice',
      type: 'platform.comment.posted',
      occurredAt: new Date().toISOString(),
      actor: { type: 'Person', id: 'platform:user:alice', name: 'alice' },
      payload: { text },
    });
    const headers = signInternalRequest(internalKey, { method: 'POST', pathWithQuery: '/internal/v1/events', body });
    const response = await fetch(`${feedApi.url}/internal/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  async function token(): Promise<string> {
    return issueDevToken(await loadOrCreateDevKeyPair(keyDir), { tenantId: tenant, userId: 'alice', issuer: 'activity-dev', audience: 'activity-service' });
  }

  async function item(id: string): Promise<Item | undefined> {
    const page = (await (await fetch(`${feedApi.url}/v2/feed?limit=50`, { headers: { authorization: `Bearer ${await token()}` } })).json()) as { items: Item[] };
    return page.items.find((candidate) => candidate.id === id);
  }

  beforeAll(async () => {
    site = createServer((request, response) => {
      if (request.url === '/guide')
        return void response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            '<html><head><meta property="og:title" content="Nether Guide"><meta property="og:image" content="/nether.png"><meta property="og:site_name" content="Blocks Wiki"></head><body>…</body></html>',
          );
      response.writeHead(404).end();
    });
    privateServer = createServer((request, response) => {
      privateRequests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/html' }).end('<title>internal admin</title>');
    });
    [sitePort, privatePort] = await Promise.all([listen(site), listen(privateServer)]);
    const env = {
      ...serviceEnvironment(environment),
      JWT_DEV_KEY_DIR: keyDir,
      INTERNAL_HMAC_KEYS: JSON.stringify({ [internalKey.id]: { caller: 'previews-test', secret: internalKey.secret } }),
      LINK_PREVIEW_ALLOW_LIST: `127.0.0.1:${sitePort}`,
      LINK_PREVIEW_TIMEOUT_MS: '2000',
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    const policy = JSON.parse(readFileSync('libs/auth/src/policies/default-policy.json', 'utf8')) as { subjects: Record<string, string[]> };
    mkdirSync('.local', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ ...policy, subjects: { ...policy.subjects, '*:service:previews-test': ['event-producer'] } }));
    const stack = await ServiceProcess.startAll(environment.portBase + 180, { ...env, ACCESS_POLICY_FILE: `${process.cwd()}/${policyFile}` });
    ({ feedApi, workers } = stack);
    services.push(...stack.all);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    for (const server of [site, privateServer]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
  }, 60_000);

  it('an event with a link gains its preview after it is stored, and an open stream is told (item.updated)', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${feedApi.url}/v2/feed/stream`, { headers: { authorization: `Bearer ${await token()}` }, signal: controller.signal });
    const reader = stream.body!.getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += Buffer.from(value).toString('utf8');
      }
    })().catch(() => undefined);
    try {
      const link = `http://127.0.0.1:${sitePort}/guide`;
      const id = await record(`read this before the raid: ${link} — it helps`);
      const withPreview = await waitFor('the preview on the feed item', async () => (await item(id))?.linkPreviews, 30_000);
      expect(withPreview).toEqual([{ url: link, title: 'Nether Guide', image: `http://127.0.0.1:${sitePort}/nether.png`, siteName: 'Blocks Wiki', source: 'opengraph' }]);
      await waitFor('item.updated on the stream', async () => received.includes('event: item.updated') || undefined, 15_000);
      const update = received.split('event: item.updated\ndata: ')[1]!.split('\n')[0]!;
      expect(JSON.parse(update)).toMatchObject({ id, linkPreviews: [{ title: 'Nether Guide' }] });
      expect(received).toContain(`event: activity`);
    } finally {
      controller.abort();
      await reading;
    }
  });

  it('a link to a private address gains nothing, and nothing is asked of it', async () => {
    const id = await record(`admin panel at http://127.0.0.1:${privatePort}/admin and http://localhost:${privatePort}/`);
    await waitFor(
      'the worker to have handled the links',
      async () =>
        workers
          .logs()
          .split('\n')
          .some((line) => line.includes(`"eventId":"${id}"`) && line.includes('no link previews for the event')) || undefined,
      30_000,
    );
    expect((await item(id))?.linkPreviews).toBeUndefined();
    expect(privateRequests).toEqual([]);
  });
});
