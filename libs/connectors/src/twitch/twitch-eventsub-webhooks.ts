import {
  TWITCH_MAX_MESSAGE_AGE_SECONDS,
  verifyHmacSha256Hex,
  type HandshakeReply,
  type IncomingWebhook,
  type NormalizeContext,
  type NormalizedEvent,
  type SubscriptionRevocation,
  type VerifiedWebhook,
  type WebhookDelivery,
  type WebhookScheme,
} from '@activity/connector-sdk';
import { DomainError, parseInstant } from '@activity/domain';

/** What the gateway keeps of an EventSub message: Twitch's headers that matter, and the body. */
interface TwitchMessage {
  readonly message: { readonly id: string; readonly type: 'notification' | 'revocation'; readonly timestamp: string };
  readonly subscription: { readonly id: string; readonly type: string; readonly status?: string; readonly condition?: Record<string, string> };
  readonly event?: Record<string, unknown>;
}

const HEADER = {
  id: 'twitch-eventsub-message-id',
  type: 'twitch-eventsub-message-type',
  signature: 'twitch-eventsub-message-signature',
  timestamp: 'twitch-eventsub-message-timestamp',
} as const;

/**
 * Twitch EventSub over webhooks (`/v1/webhooks/twitch/{sourceId}`), as PLATFORMS.md §3 gives it:
 * `sha256=` HMAC-SHA256 over message id + timestamp + raw body with the source's secret, compared
 * in constant time (a bad one: 403); timestamps more than 10 minutes away refused; the message id
 * is the delivery id, so a redelivery is acknowledged (2xx) and skipped;
 * `webhook_callback_verification` answered 200 with the raw challenge as `text/plain`;
 * `revocation` marks the subscription (and shows on the link).
 */
export class TwitchEventSubWebhooks implements WebhookScheme {
  handshake(request: IncomingWebhook, secrets: readonly string[], now = new Date()): HandshakeReply | null {
    if (request.method !== 'POST' || request.headers[HEADER.type] !== 'webhook_callback_verification') return null;
    this.authenticate(request, secrets, now);
    const challenge = (parseJson(request.body) as { challenge?: unknown }).challenge;
    if (typeof challenge !== 'string' || !challenge) throw invalid('challenge', 'challenge', 'a verification carries the challenge to echo');
    return { status: 200, contentType: 'text/plain', body: challenge };
  }

  verify(request: IncomingWebhook, secrets: readonly string[], now = new Date()): VerifiedWebhook {
    const { id, timestamp } = this.authenticate(request, secrets, now);
    const type = request.headers[HEADER.type];
    if (type !== 'notification' && type !== 'revocation')
      throw invalid('twitch-eventsub-message-type', 'messageType', 'the message type is notification, revocation or webhook_callback_verification');
    const body = parseJson(request.body) as { subscription?: TwitchMessage['subscription']; event?: Record<string, unknown> };
    const subscription = body.subscription;
    if (!subscription || typeof subscription.id !== 'string' || typeof subscription.type !== 'string')
      throw invalid('subscription', 'subscription', 'a message names its subscription');
    if (type === 'notification' && (!body.event || typeof body.event !== 'object')) throw invalid('event', 'event', 'a notification carries its event');
    const broadcaster = String(body.event?.['broadcaster_user_id'] ?? subscription.condition?.['broadcaster_user_id'] ?? '');
    if (type === 'notification' && !/^\d{1,20}$/.test(broadcaster)) throw invalid('event.broadcaster_user_id', 'broadcaster', 'the broadcaster is a Twitch user id');
    const message: TwitchMessage = { message: { id, type, timestamp }, subscription, ...(body.event ? { event: body.event } : {}) };
    return { deliveryId: id, body: message as unknown as Record<string, unknown>, accountKey: broadcaster || subscription.id };
  }

  async normalize(delivery: WebhookDelivery, context?: NormalizeContext): Promise<NormalizedEvent[]> {
    const message = delivery.body as unknown as TwitchMessage;
    const event = message.event;
    if (message.message.type !== 'notification' || !event) return [];
    const broadcaster = String(event['broadcaster_user_id']);
    const actor = { type: 'Person', id: `twitch:user:${broadcaster}`, name: String(event['broadcaster_user_name'] ?? event['broadcaster_user_login'] ?? broadcaster) };
    const at = parseInstant(message.message.timestamp) ?? new Date();
    const base = { source: 'twitch', externalAccountId: broadcaster, actor };
    switch (message.subscription.type) {
      case 'stream.online': {
        const startedAt = parseInstant(event['started_at']) ?? at;
        // Title and category are the channel's, from its latest channel.update (stream.online carries neither).
        const channel = (await context?.latestEvent('twitch.channel.updated', broadcaster))?.payload;
        return [
          {
            ...base,
            sourceEventId: `twitch:stream:${String(event['id'] ?? message.message.id)}:started`,
            type: 'twitch.stream.started',
            object: {
              type: 'Video',
              id: `twitch:stream:${String(event['id'] ?? message.message.id)}`,
              name: typeof channel?.['title'] === 'string' ? channel['title'] : 'live',
              url: `https://www.twitch.tv/${String(event['broadcaster_user_login'] ?? '')}`,
            },
            occurredAt: startedAt,
            payload: {
              titled: typeof channel?.['title'] === 'string' && channel['title'] ? 'yes' : 'no',
              streamId: String(event['id'] ?? ''),
              streamType: String(event['type'] ?? 'live'),
              ...(typeof channel?.['title'] === 'string' ? { title: channel['title'] } : {}),
              ...(typeof channel?.['category'] === 'string' ? { category: channel['category'] } : {}),
            },
          },
        ];
      }
      case 'stream.offline': {
        const started = await context?.latestEvent('twitch.stream.started', broadcaster);
        const durationSeconds = started && started.occurredAt <= at ? Math.round((at.getTime() - started.occurredAt.getTime()) / 1000) : undefined;
        return [
          {
            ...base,
            sourceEventId: `twitch:offline:${message.message.id}`,
            type: 'twitch.stream.ended',
            occurredAt: at,
            payload: {
              length: durationSeconds === undefined ? 'unknown' : 'known',
              ...(started ? { startedAt: started.occurredAt.toISOString() } : {}),
              ...(durationSeconds !== undefined ? { durationSeconds, durationMinutes: Math.floor(durationSeconds / 60) } : {}),
            },
          },
        ];
      }
      case 'channel.update':
        return [
          {
            ...base,
            sourceEventId: `twitch:channel:${message.message.id}`,
            type: 'twitch.channel.updated',
            object: { type: 'Service', id: `twitch:channel:${broadcaster}`, name: String(event['title'] ?? '') },
            occurredAt: at,
            payload: {
              title: String(event['title'] ?? ''),
              category: String(event['category_name'] ?? ''),
              categoryId: String(event['category_id'] ?? ''),
              language: String(event['language'] ?? ''),
            },
          },
        ];
      default:
        return [];
    }
  }

  subscriptionRevocation(delivery: WebhookDelivery): SubscriptionRevocation | null {
    const message = delivery.body as unknown as TwitchMessage;
    return message.message.type === 'revocation' ? { subscriptionId: message.subscription.id, reason: String(message.subscription.status ?? 'revoked') } : null;
  }

  /** Signature over id + timestamp + raw body (403 when it fails), then the 10-minute window. */
  private authenticate(request: IncomingWebhook, secrets: readonly string[], now: Date): { id: string; timestamp: string } {
    const id = request.headers[HEADER.id];
    const timestamp = request.headers[HEADER.timestamp];
    if (!id || !timestamp) throw new DomainError('signature_rejected');
    try {
      verifyHmacSha256Hex(request.headers[HEADER.signature], secrets, id, timestamp, request.body);
    } catch {
      throw new DomainError('signature_rejected');
    }
    const sent = parseInstant(timestamp);
    if (!sent || Math.abs(now.getTime() - sent.getTime()) > TWITCH_MAX_MESSAGE_AGE_SECONDS * 1000)
      throw new DomainError('signature_expired', { toleranceSeconds: TWITCH_MAX_MESSAGE_AGE_SECONDS });
    return { id, timestamp };
  }
}

function parseJson(raw: Buffer): Record<string, unknown> {
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    throw new DomainError('malformed_json');
  }
  throw invalid('body', 'body', 'an EventSub message is a JSON object');
}

function invalid(field: string, key: string, message: string): DomainError {
  return new DomainError('validation_failed', {}, [{ field, rule: 'twitchEventSub', message, messageKey: `validation.twitch.${key}` }]);
}
