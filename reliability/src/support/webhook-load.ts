import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signStandardWebhook } from '@activity/connector-sdk';

export interface Player {
  readonly uuid: string;
  readonly userId: string;
}

/** One uniquely identified webhook and what happened to it, as its sender saw it. */
export interface Delivery {
  readonly id: string;
  readonly player: Player;
  readonly body: string;
  firstSentAt: number;
  /** When a 202 came back (to any attempt); undefined if none ever did. */
  ackedAt?: number;
  attempts: number;
  /** Each attempt's outcome: an HTTP status or a network error code. */
  readonly outcomes: string[];
  /** A 4xx other than 408/429: a sender gives up on it, so it must never appear. */
  refused?: boolean;
}

export interface WebhookLoadOptions {
  readonly gatewayUrl: () => string;
  readonly sourceId: string;
  readonly secret: string;
  readonly players: readonly Player[];
  /** A sender keeps retrying an unanswered webhook this long after its first attempt. */
  readonly giveUpAfterMs?: number;
}

/**
 * Sends signed Minecraft webhooks at a fixed rate, each with its own delivery id, and retries the
 * ones not answered 202 the way a platform does: the same delivery id and body, a fresh timestamp
 * and signature, with backoff, on 5xx, 408, 409, 425, 429 and network errors, until it gives up.
 */
export class WebhookLoad {
  readonly deliveries: Delivery[] = [];

  constructor(private readonly options: WebhookLoadOptions) {}

  /**
   * `count` webhooks at `perSecond`, spread over the players in turn; `onSent(n)` runs after the
   * n-th first attempt (for injecting a fault part-way). Resolves when every delivery is answered
   * 202, refused, or given up on.
   */
  async run(count: number, perSecond: number, onSent?: (sent: number) => void | Promise<void>): Promise<void> {
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      const due = started + (index * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const delivery = this.newDelivery(this.options.players[index % this.options.players.length]!);
      this.deliveries.push(delivery);
      inFlight.push(this.deliver(delivery));
      await onSent?.(index + 1);
    }
    await Promise.all(inFlight);
  }

  private newDelivery(player: Player): Delivery {
    const id = `rel_${randomUUID().replace(/-/g, '')}`;
    const body = JSON.stringify({
      type: 'player.advancement',
      occurredAt: new Date().toISOString(),
      server: { id: 'reliability', name: 'Reliability' },
      player: { uuid: player.uuid, name: `p_${player.userId}` },
      data: { advancement: { key: `rel:${id}`, title: 'Reliability' } },
    });
    return { id, player, body, firstSentAt: Date.now(), attempts: 0, outcomes: [] };
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const giveUpAt = delivery.firstSentAt + (this.options.giveUpAfterMs ?? 120_000);
    for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
      delivery.attempts += 1;
      const outcome = await this.attempt(delivery);
      delivery.outcomes.push(outcome);
      if (outcome === '202') {
        delivery.ackedAt = Date.now();
        return;
      }
      // Senders retry every failure but a refusal of the delivery itself: a 409 (the same delivery
      // still "in progress" at a gateway that was killed mid-request) is retried like a 429.
      if (/^4\d\d$/.test(outcome) && !['408', '409', '425', '429'].includes(outcome)) {
        delivery.refused = true;
        return;
      }
      if (Date.now() + wait > giveUpAt) return;
      await sleep(wait);
    }
  }

  private async attempt(delivery: Delivery): Promise<string> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(`${this.options.gatewayUrl()}/v1/webhooks/minecraft/${this.options.sourceId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(this.options.secret, delivery.id, timestamp, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return String(response.status);
    } catch (error) {
      const failure = error as Error & { cause?: { code?: string } };
      return failure.cause?.code ?? failure.name;
    }
  }
}
