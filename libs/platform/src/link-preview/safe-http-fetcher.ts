import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isPublicAddress } from './forbidden-address';

/** Why a fetch was refused or failed; failures are cached like successes (briefly). */
export type FetchRefusal = 'scheme' | 'credentials' | 'dns' | 'address' | 'redirects' | 'status' | 'content_type' | 'timeout' | 'network';

export class LinkFetchRefused extends Error {
  constructor(
    readonly reason: FetchRefusal,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'LinkFetchRefused';
  }
}

export interface SafeFetchOptions {
  /** Bytes read at most; the rest is not downloaded (`truncated`). */
  readonly maxBytes: number;
  /** For the whole fetch, redirects included. */
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  /** Media types accepted (`text/html`…); anything else is refused before its body is read. */
  readonly accept: readonly string[];
  readonly userAgent: string;
  /**
   * `address:port` pairs that may be fetched although they are not public: set only by test
   * configuration (a loopback test server). Matched against the resolved address, not the name.
   */
  readonly allowList?: ReadonlySet<string>;
}

export interface FetchedDocument {
  /** After redirects. */
  readonly url: URL;
  readonly contentType: string;
  readonly charset: string | undefined;
  readonly body: Buffer;
  readonly truncated: boolean;
}

type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Fetches a URL someone put in an event, without letting it reach anything but the public
 * internet: http(s) only, no credentials; the host is resolved once, **every** address checked
 * (isPublicAddress), and the connection pinned to the checked address (no second lookup, so no
 * DNS rebinding); redirects followed by hand, each hop checked the same way, at most
 * `maxRedirects`; one deadline for everything; the media type checked before the body is read;
 * at most `maxBytes` read. No cookies, no credentials, no connection reuse.
 */
export class SafeHttpFetcher {
  constructor(
    private readonly options: SafeFetchOptions,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async fetch(input: string): Promise<FetchedDocument> {
    const deadline = Date.now() + this.options.timeoutMs;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new LinkFetchRefused('scheme', 'not a URL');
    }
    for (let hop = 0; hop <= this.options.maxRedirects; hop += 1) {
      const target = await this.checked(url, deadline);
      const response = await this.request(url, target, deadline);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        try {
          url = new URL(response.headers.location, url);
        } catch {
          throw new LinkFetchRefused('status', `a redirect to an unreadable location`);
        }
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw new LinkFetchRefused('status', `HTTP ${status}`);
      }
      const [mediaType = '', ...parameters] = (response.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
      if (!this.options.accept.includes(mediaType)) {
        response.destroy();
        throw new LinkFetchRefused('content_type', mediaType || 'none');
      }
      const charset = parameters
        .find((parameter) => parameter.startsWith('charset='))
        ?.slice(8)
        .replace(/"/g, '');
      const { body, truncated } = await this.read(response, deadline);
      return { url, contentType: mediaType, charset, body, truncated };
    }
    throw new LinkFetchRefused('redirects', `more than ${this.options.maxRedirects} redirects`);
  }

  /** The address to connect to, after every check; the URL's own scheme, credentials and host. */
  private async checked(url: URL, deadline: number): Promise<{ address: string; family: 4 | 6; port: number }> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkFetchRefused('scheme', url.protocol);
    if (url.username || url.password) throw new LinkFetchRefused('credentials', 'credentials in the URL');
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    let addresses: string[];
    if (ipaddr.isValid(hostname)) addresses = [hostname];
    else {
      try {
        addresses = await withDeadline(this.resolve(hostname), deadline);
      } catch (error) {
        if (error instanceof LinkFetchRefused) throw error;
        throw new LinkFetchRefused('dns', `${hostname} does not resolve`);
      }
    }
    if (addresses.length === 0) throw new LinkFetchRefused('dns', `${hostname} has no address`);
    const allowed = (address: string) => isPublicAddress(address) || this.options.allowList?.has(`${normalize(address)}:${port}`) === true;
    const refused = addresses.find((address) => !allowed(address));
    if (refused) throw new LinkFetchRefused('address', `${hostname} resolves to ${refused}`);
    const address = normalize(addresses[0]!);
    return { address, family: ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4, port };
  }

  private request(url: URL, target: { address: string; family: 4 | 6; port: number }, deadline: number): Promise<IncomingMessage> {
    // The connection goes to the address checked above, whatever a second lookup would say now.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all)
        (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(url, {
        method: 'GET',
        agent: false,
        lookup: pinned,
        headers: { 'user-agent': this.options.userAgent, accept: this.options.accept.join(', '), 'accept-encoding': 'identity' },
        timeout: Math.max(1, deadline - Date.now()),
      });
      const timer = setTimeout(() => request.destroy(new LinkFetchRefused('timeout', `no answer within ${this.options.timeoutMs} ms`)), Math.max(1, deadline - Date.now()));
      request.on('timeout', () => request.destroy(new LinkFetchRefused('timeout', `no answer within ${this.options.timeoutMs} ms`)));
      request.on('response', (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof LinkFetchRefused ? error : new LinkFetchRefused('network', error.message));
      });
      request.end();
    });
  }

  private read(response: IncomingMessage, deadline: number): Promise<{ body: Buffer; truncated: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(
        () => {
          response.destroy();
          reject(new LinkFetchRefused('timeout', `the body did not arrive within ${this.options.timeoutMs} ms`));
        },
        Math.max(1, deadline - Date.now()),
      );
      response.on('data', (chunk: Buffer) => {
        if (size + chunk.length > this.options.maxBytes) {
          // Past the cap: keep what fits and stop downloading.
          chunks.push(chunk.subarray(0, this.options.maxBytes - size));
          clearTimeout(timer);
          response.destroy();
          resolve({ body: Buffer.concat(chunks), truncated: true });
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ body: Buffer.concat(chunks), truncated: false });
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(new LinkFetchRefused('network', error.message));
      });
    });
  }
}

function normalize(address: string): string {
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address().toString() : parsed.toString();
}

function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LinkFetchRefused('timeout', 'the name did not resolve in time')), Math.max(1, deadline - Date.now()));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
