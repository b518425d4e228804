import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake platform's HTTP server on 127.0.0.1: each request is handed over with its whole body read. */
export async function listenOnLoopback(
  port: number,
  handle: (request: IncomingMessage, response: ServerResponse, raw: string) => Promise<void> | void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => void handle(request, response, raw));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
