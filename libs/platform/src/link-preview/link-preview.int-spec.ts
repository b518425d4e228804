import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkPreviewService } from './link-preview.service';
import { LinkFetchRefused, SafeHttpFetcher, type SafeFetchOptions } from './safe-http-fetcher';

interface TestServer {
  server: Server;
  port: number;
  requests: string[];
}

async function serve(handler: (request: IncomingMessage, response: ServerResponse, port: number) => void): Promise<TestServer> {
  const requests: string[] = [];
  let port = 0;
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response, port);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return { server, port, requests };
}

const HUGE_CHUNKS = 200; // x 64 KiB = 12.5 MiB offered

/**
 * The link-preview fetcher against real HTTP servers on loopback. `site` is on the test-only
 * allow-list (as `127.0.0.1:<port>`); `forbidden` is not, and stands for every private address:
 * it must never receive a request, however a link reaches for it.
 */
describe('link previews, fetched safely', () => {
  let site: TestServer;
  let forbidden: TestServer;
  const html = (response: ServerResponse, body: string) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);

  beforeAll(async () => {
    forbidden = await serve((_request, response) => html(response, '<title>internal admin</title>'));
    site = await serve((request, response, port) => {
      const path = request.url ?? '/';
      if (path === '/og')
        return html(
          response,
          '<head><meta property="og:title" content="Nether Update"><meta property="og:image" content="/cover.png"><meta property="og:site_name" content="Blocks"></head>',
        );
      if (path === '/card') return html(response, '<head><meta name="twitter:title" content="Card Title"><meta name="twitter:description" content="From a card"></head>');
      if (path === '/video') return html(response, `<head><title>watch</title><link rel="alternate" type="application/json+oembed" href="http://127.0.0.1:${port}/oembed"></head>`);
      if (path === '/oembed')
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ type: 'video', title: 'Speedrun WR', provider_name: 'Tube', thumbnail_url: 'https://img.example/t.jpg' }));
      if (path === '/none') return html(response, '<html><body><p>nothing here</p></body></html>');
      if (path === '/image') return response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(1000));
      if (path === '/slow') return void setTimeout(() => html(response, '<title>late</title>'), 3_000).unref();
      if (path === '/huge') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<head><meta property="og:title" content="Huge page"></head><body>');
        let sent = 0;
        const more = () => {
          while (sent < HUGE_CHUNKS && !response.destroyed) {
            sent += 1;
            if (!response.write(Buffer.alloc(64 * 1024, 'a'))) return void response.once('drain', more);
          }
          response.end();
        };
        return more();
      }
      if (path === '/to-private') return response.writeHead(302, { location: `http://127.0.0.1:${forbidden.port}/admin` }).end();
      if (path === '/to-metadata') return response.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (path === '/to-localhost') return response.writeHead(302, { location: `http://localhost:${forbidden.port}/` }).end();
      if (path === '/loop') return response.writeHead(302, { location: '/loop' }).end();
      response.writeHead(404).end();
    });
  });
  afterAll(async () => {
    for (const { server } of [site, forbidden]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  afterEach(() => expect(forbidden.requests).toEqual([]));

  const options = (): SafeFetchOptions => ({
    maxBytes: 256 * 1024,
    timeoutMs: 1_000,
    maxRedirects: 3,
    accept: ['text/html', 'application/xhtml+xml'],
    userAgent: 'activity-link-preview-test',
    allowList: new Set([`127.0.0.1:${site.port}`]),
  });
  const fetcher = () => new SafeHttpFetcher(options());
  const service = (gate = { acquire: async () => undefined }) =>
    new LinkPreviewService(fetcher(), new SafeHttpFetcher({ ...options(), accept: ['application/json'], maxBytes: 64 * 1024 }), () => gate, null, {
      ttlSeconds: 3600,
      failureTtlSeconds: 600,
      hostWaitMs: 100,
    });
  const url = (path: string) => `http://127.0.0.1:${site.port}${path}`;
  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      if (error instanceof LinkFetchRefused) return error.reason;
      throw error;
    }
    return 'fetched';
  };

  it('OpenGraph, a Twitter card, oEmbed discovery; a page with none has no preview', async () => {
    const previews = service();
    expect(await previews.preview(url('/og'))).toEqual({
      preview: { url: url('/og'), title: 'Nether Update', image: url('/cover.png'), siteName: 'Blocks', source: 'opengraph' },
    });
    expect(await previews.preview(url('/card'))).toMatchObject({ preview: { title: 'Card Title', description: 'From a card', source: 'twitter' } });
    expect(await previews.preview(url('/video'))).toMatchObject({ preview: { title: 'Speedrun WR', siteName: 'Tube', image: 'https://img.example/t.jpg', source: 'oembed' } });
    expect(await previews.preview(url('/none'))).toEqual({ preview: null, refusal: 'no_metadata' });
  });

  it('a huge page is read only up to the cap, and its head still makes the preview', async () => {
    const page = await fetcher().fetch(url('/huge'));
    expect(page.truncated).toBe(true);
    expect(page.body.length).toBe(256 * 1024);
    expect(await service().preview(url('/huge'))).toMatchObject({ preview: { title: 'Huge page' } });
  });

  it('a slow page is given up at the deadline', async () => {
    const started = Date.now();
    expect(await refusal(fetcher().fetch(url('/slow')))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('refuses a non-HTML content type before reading it', async () => {
    expect(await refusal(fetcher().fetch(url('/image')))).toBe('content_type');
  });

  it('refuses redirects to a private address, to cloud metadata and to a name for loopback, without a request there', async () => {
    expect(await refusal(fetcher().fetch(url('/to-private')))).toBe('address');
    expect(await refusal(fetcher().fetch(url('/to-metadata')))).toBe('address');
    expect(await refusal(fetcher().fetch(url('/to-localhost')))).toBe('address');
    expect(await refusal(fetcher().fetch(url('/loop')))).toBe('redirects');
  });

  it('refuses a hostname that resolves to 127.0.0.1, private and metadata addresses, and other schemes, with no request', async () => {
    expect(await refusal(fetcher().fetch(`http://localhost:${forbidden.port}/`))).toBe('address');
    expect(await refusal(fetcher().fetch(`http://127.0.0.1:${forbidden.port}/`))).toBe('address');
    expect(await refusal(fetcher().fetch(`http://[::1]:${forbidden.port}/`))).toBe('address');
    expect(await refusal(fetcher().fetch('http://169.254.169.254/latest/meta-data/'))).toBe('address');
    expect(await refusal(fetcher().fetch('http://10.0.0.1/'))).toBe('address');
    expect(await refusal(fetcher().fetch(`file:///etc/passwd`))).toBe('scheme');
    expect(await refusal(fetcher().fetch(`gopher://127.0.0.1:${forbidden.port}/_GET`))).toBe('scheme');
    expect(await refusal(fetcher().fetch(`http://user:secret@127.0.0.1:${site.port}/og`))).toBe('credentials');
  });

  it('checks every address a name resolves to, resolves once per hop and connects to the checked address (no rebinding)', async () => {
    const answers = [['93.184.216.34', '10.0.0.1']];
    const split = new SafeHttpFetcher(options(), async () => answers[0]!);
    expect(await refusal(split.fetch(`http://rebind.example:${site.port}/og`))).toBe('address');
    // A name whose only answer is the allowed test server, asked once: the connection goes there.
    let lookups = 0;
    const pinned = new SafeHttpFetcher(options(), async () => {
      lookups += 1;
      return lookups === 1 ? ['127.0.0.1'] : ['10.0.0.1'];
    });
    const page = await pinned.fetch(`http://pinned.example:${site.port}/og`);
    expect(page.body.toString()).toContain('Nether Update');
    expect(lookups).toBe(1);
  });

  it('caches results and failures per URL; a host over its rate limit gets no preview for now, and nothing is cached', async () => {
    const previews = service();
    const before = site.requests.length;
    await previews.preview(url('/og'));
    await previews.preview(url('/og'));
    await previews.preview(url('/image'));
    await previews.preview(url('/image'));
    expect(site.requests.length - before).toBe(2);
    const limited = service({ acquire: async () => Promise.reject(new Error('over the limit')) });
    expect(await limited.preview(url('/card'))).toEqual({ preview: null, refusal: 'rate_limited' });
    const afterLimit = site.requests.length;
    expect(await service().preview(url('/card'))).toMatchObject({ preview: { title: 'Card Title' } });
    expect(site.requests.length).toBe(afterLimit + 1);
  });
});
