import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Checks the documented internal signature (docs/permissions.md) with its own code, not ours, so a
 * drift between our signer and the contract fails the tests.
 */
function signatureProblem(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer, secrets: ReadonlyMap<string, string>): string | undefined {
  const keyId = headers['x-activity-key-id'];
  const timestamp = headers['x-activity-timestamp'];
  const signature = headers['x-activity-signature'];
  if (typeof keyId !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return 'missing signature headers';
  const secret = secrets.get(keyId);
  if (!secret) return 'unknown key';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 'stale timestamp';
  const canonical = `${method}\n${path}\n${timestamp}\n${createHash('sha256').update(body).digest('hex')}`;
  const expected = createHmac('sha256', Buffer.from(secret, 'base64')).update(canonical).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'bad signature';
}

/**
 * A stand-in for the platform's Access service that speaks its HTTP contract:
 * `POST /v1/permissions/check` with `{tenantId, subject, permission, resource}`, HMAC-signed,
 * answering `{allowed, ttl?}`. Tests grant permissions, count calls, and make it slow or failing.
 */
export class FakeAccessServer {
  calls = 0;
  delayMs = 0;
  failWithStatus: number | undefined;
  ttl: number | undefined;
  private readonly grants = new Set<string>();

  private readonly server: Server;
  url = '';

  private constructor(private readonly secrets: ReadonlyMap<string, string>) {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  /** `secrets`: key id -> base64 secret the caller signs with. */
  static async start(secrets: ReadonlyMap<string, string>): Promise<FakeAccessServer> {
    const fake = new FakeAccessServer(secrets);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        this.calls += 1;
        const body = Buffer.concat(chunks);
        const send = (status: number, payload: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(payload));
        };
        if (request.method !== 'POST' || request.url !== '/v1/permissions/check') return send(404, { error: 'not found' });
        const problem = signatureProblem(request.method, request.url, request.headers, body, this.secrets);
        if (problem) return send(401, { error: problem });
        if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        if (this.failWithStatus) return send(this.failWithStatus, { error: 'injected failure' });
        const query = JSON.parse(body.toString()) as { tenantId: string; subject: string; permission: string };
        const allowed = this.grants.has(`${query.tenantId}|${query.subject}|${query.permission}`);
        send(200, this.ttl === undefined ? { allowed } : { allowed, ttl: this.ttl });
      })();
    });
  }

  allow(tenantId: string, subject: string, permission: string): void {
    this.grants.add(`${tenantId}|${subject}|${permission}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
