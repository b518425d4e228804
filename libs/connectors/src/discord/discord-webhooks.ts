import { createHash } from 'node:crypto';
import {
  verifyEd25519,
  type HandshakeReply,
  type IncomingWebhook,
  type LinkRevocation,
  type NormalizedEvent,
  type VerifiedWebhook,
  type WebhookDelivery,
  type WebhookScheme,
} from '@activity/connector-sdk';
import { DomainError, parseInstant } from '@activity/domain';

/** Discord's outgoing webhook envelope: `type` 0 is the PING, 1 an event. */
interface DiscordWebhookBody {
  readonly version: number;
  readonly application_id: string;
  readonly type: 0 | 1;
  readonly event?: { readonly type: string; readonly timestamp: string; readonly data?: Record<string, unknown> };
}

interface DiscordWebhookUser {
  readonly id: string;
  readonly username?: string;
  readonly global_name?: string | null;
}

/**
 * Webhook events Discord sends an application (`/v1/webhooks/discord/{sourceId}`): Ed25519 over
 * `X-Signature-Timestamp` + raw body with the application's public key (the source's secret).
 * Discord probes with bad signatures on purpose and removes an endpoint that accepts them, so a
 * bad or missing one is a 401 before anything else is looked at. The PING is answered 204 with an
 * empty body, and so is every accepted event (Discord wants 204 within 3 s).
 */
export class DiscordWebhooks implements WebhookScheme {
  readonly acceptedStatus = 204;
  /** The application's public key from the Developer Portal (General Information). */
  readonly sourceKey = { pattern: /^[0-9a-fA-F]{64}$/, example: '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664' };

  handshake(request: IncomingWebhook, publicKeys: readonly string[]): HandshakeReply | null {
    if (request.method !== 'POST' || !looksLikePing(request.body)) return null;
    // Only a genuine PING is answered as one; anything else goes on to verify (signature first).
    this.checkSignature(request, publicKeys);
    return parseBody(request.body).type === 0 ? { status: 204 } : null;
  }

  verify(request: IncomingWebhook, publicKeys: readonly string[]): VerifiedWebhook {
    this.checkSignature(request, publicKeys);
    const body = parseBody(request.body);
    if (body.type !== 1 || !body.event) throw invalid('type', 'eventType', 'a Discord webhook event has type 1 and an event');
    const user = userOf(body);
    return {
      // Discord sends no delivery id; a retry re-sends the same signed bytes, so they are the id.
      deliveryId: createHash('sha256')
        .update(request.headers['x-signature-timestamp'] ?? '')
        .update('\n')
        .update(request.body)
        .digest('hex'),
      body: body as unknown as Record<string, unknown>,
      accountKey: user?.id ?? body.application_id,
    };
  }

  normalize(delivery: WebhookDelivery): NormalizedEvent[] {
    const body = delivery.body as unknown as DiscordWebhookBody;
    const user = userOf(body);
    if (body.event?.type !== 'APPLICATION_AUTHORIZED' || !user) return [];
    const data = body.event.data ?? {};
    const scopes = Array.isArray(data['scopes']) ? (data['scopes'] as unknown[]).filter((scope): scope is string => typeof scope === 'string') : [];
    return [
      {
        source: 'discord',
        sourceEventId: `discord:authorized:${delivery.deliveryId}`,
        type: 'discord.app.authorized',
        externalAccountId: user.id,
        actor: { type: 'Person', id: `discord:user:${user.id}`, name: user.global_name ?? user.username ?? user.id },
        object: { type: 'Application', id: `discord:application:${body.application_id}`, name: 'Discord' },
        occurredAt: eventTime(body),
        payload: { applicationId: body.application_id, scopes, integrationType: data['integration_type'] === 0 ? 'guild' : 'user' },
      },
    ];
  }

  /** The player removed the application on Discord: their link goes, if it is older than that. */
  linkRevocation(delivery: WebhookDelivery): LinkRevocation | null {
    const body = delivery.body as unknown as DiscordWebhookBody;
    const user = userOf(body);
    if (body.event?.type !== 'APPLICATION_DEAUTHORIZED' || !user) return null;
    return { externalAccountId: user.id, reason: 'deauthorized on Discord', at: eventTime(body) };
  }

  private checkSignature(request: IncomingWebhook, publicKeys: readonly string[]): void {
    verifyEd25519(request.headers['x-signature-ed25519'], request.headers['x-signature-timestamp'], request.body, publicKeys);
  }
}

/** A cheap look before the signature is checked: is this the PING (`type` 0)? Events are verified once, in `verify`. */
function looksLikePing(raw: Buffer): boolean {
  try {
    return (JSON.parse(raw.toString('utf8')) as { type?: unknown } | null)?.type === 0;
  } catch {
    return false;
  }
}

function parseBody(raw: Buffer): DiscordWebhookBody {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DomainError('malformed_json');
  }
  const candidate = body as Partial<DiscordWebhookBody> | null;
  if (!candidate || typeof candidate !== 'object' || Array.isArray(candidate)) throw invalid('body', 'bodyObject', 'a Discord webhook body is a JSON object');
  if (candidate.type !== 0 && candidate.type !== 1) throw invalid('type', 'envelopeType', 'type is 0 (PING) or 1 (event)');
  if (typeof candidate.application_id !== 'string' || !/^\d{1,20}$/.test(candidate.application_id)) throw invalid('application_id', 'snowflake', 'application_id is a snowflake');
  if (candidate.type === 1) {
    const event = candidate.event;
    if (!event || typeof event !== 'object' || typeof event.type !== 'string' || typeof event.timestamp !== 'string' || !parseInstant(withZone(event.timestamp)))
      throw invalid('event', 'event', 'an event has a type and an ISO 8601 timestamp');
    if (event.data !== undefined && (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)))
      throw invalid('event.data', 'eventData', 'event.data is an object');
    const user = event.data?.['user'] as DiscordWebhookUser | undefined;
    if (user !== undefined && (typeof user !== 'object' || typeof user.id !== 'string' || !/^\d{1,20}$/.test(user.id)))
      throw invalid('event.data.user.id', 'snowflake', 'a user id is a snowflake');
  }
  return candidate as DiscordWebhookBody;
}

function userOf(body: DiscordWebhookBody): DiscordWebhookUser | undefined {
  return body.event?.data?.['user'] as DiscordWebhookUser | undefined;
}

/** Discord's event timestamps carry no zone (`2024-10-18T14:42:53.064834`); they are UTC. */
function withZone(timestamp: string): string {
  return /(Z|[+-]\d\d:?\d\d)$/.test(timestamp) ? timestamp : `${timestamp}Z`;
}

function eventTime(body: DiscordWebhookBody): Date {
  return parseInstant(withZone(body.event!.timestamp))!;
}

function invalid(field: string, key: string, message: string): DomainError {
  return new DomainError('validation_failed', {}, [{ field, rule: 'discordWebhook', message, messageKey: `validation.discord.${key}`, params: { field } }]);
}
