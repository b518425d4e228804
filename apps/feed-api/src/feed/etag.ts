import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Weak ETag over the serialised body (given as a string when already serialised); answers 304 (and returns true) when the client already has
 * it. Pages are cheap to recompute, but a 304 spares the body, the compression and the client's
 * re-render when a polling client asks for an unchanged first page.
 */
export function notModified(request: FastifyRequest, reply: FastifyReply, body: unknown): boolean {
  const serialised = typeof body === 'string' ? body : JSON.stringify(body);
  const etag = `W/"${createHash('sha1').update(serialised).digest('base64url')}"`;
  void reply.header('etag', etag);
  const given = request.headers['if-none-match'];
  const matches = typeof given === 'string' && given.split(',').some((candidate) => candidate.trim() === etag || candidate.trim() === '*');
  if (matches) void reply.status(304);
  return matches;
}
