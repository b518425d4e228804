import {
  UnmappableDeliveryError,
  verifyHmacSha256Hex,
  verifyStandardWebhook,
  type IncomingWebhook,
  type NormalizedEvent,
  type VerifiedWebhook,
  type WebhookDelivery,
  type WebhookScheme,
  type WebhookSourceSettings,
} from '@activity/connector-sdk';
import { DomainError } from '@activity/domain';
import { customSourceSettings } from './custom-source-settings';
import { MappingOutputError, toCustomEvent } from './custom-event-mapper';
import type { MappingRule } from './mapping-rule';
import type { MappingOutcome, MappingSandbox } from './mapping-sandbox';

/** Headers a rule may read; signatures, credentials and hop-by-hop headers are never kept. */
const HIDDEN_HEADERS =
  /^(authorization|cookie|proxy-authorization|webhook-signature|x-hub-signature(-256)?|connection|keep-alive|transfer-encoding|content-length|host|x-forwarded-.*)$/;
const MAX_HEADERS = 50;
const MAX_HEADER_LENGTH = 512;

/** A delivery whose rules could not map it; connector-workers dead-letter it with this reason. */
export class MappingFailedError extends UnmappableDeliveryError {
  constructor(readonly outcome: Extract<MappingOutcome, { kind: 'failed' }> | { rule: string; field: string; code: string; message: string }) {
    super(`rule "${outcome.rule}", ${outcome.field}: ${outcome.code}: ${outcome.message}`);
    this.name = 'MappingFailedError';
  }
}

/** What a rule sees: `{ body, headers, deliveryId, receivedAt }`. */
export interface RuleInput {
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly deliveryId: string;
  readonly receivedAt: string;
}

/**
 * The generic webhook connector's intake: each source chooses its signature scheme; a verified
 * body (JSON, or GitHub's form-encoded `payload=`) travels with the headers rules may read, and
 * is mapped after intake by the source's JSONata rules in the sandbox.
 */
export class CustomWebhooks implements WebhookScheme {
  readonly mapsAfterIntake = true;

  constructor(private readonly sandbox: MappingSandbox) {}

  verify(request: IncomingWebhook, secrets: readonly string[], now?: Date, settings?: WebhookSourceSettings): VerifiedWebhook {
    const { signature } = customSourceSettings(settings);
    let deliveryId: string;
    if (signature === 'github') {
      verifyHmacSha256Hex(request.headers['x-hub-signature-256'], secrets, request.body);
      deliveryId = request.headers['x-github-delivery'] ?? '';
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(deliveryId))
        throw invalidBody('deliveryId', 'X-GitHub-Delivery must carry the delivery id (1 to 128 letters, digits, ".", "_", ":" or "-")', 'deliveryId');
    } else {
      deliveryId = verifyStandardWebhook(
        { id: request.headers['webhook-id'], timestamp: request.headers['webhook-timestamp'], signature: request.headers['webhook-signature'] },
        request.body,
        secrets,
        now,
      ).id;
    }
    return { deliveryId, body: { headers: visibleHeaders(request.headers), body: parseBody(request) }, accountKey: 'source' };
  }

  async normalize(delivery: WebhookDelivery): Promise<NormalizedEvent[]> {
    const { rules } = customSourceSettings(delivery.settings);
    const received = delivery.receivedAt ? new Date(delivery.receivedAt) : new Date();
    const outcome = await this.map(rules, ruleInput(delivery, received));
    if (outcome.kind === 'unmatched') return [];
    if (outcome.kind === 'failed') throw new MappingFailedError(outcome);
    try {
      return [toCustomEvent(outcome.outputs, { sourceId: delivery.sourceId, deliveryId: delivery.deliveryId, receivedAt: received })];
    } catch (error) {
      if (error instanceof MappingOutputError) throw new MappingFailedError({ rule: outcome.rule, field: error.field, code: 'invalid_output', message: error.message });
      throw error;
    }
  }

  map(rules: readonly MappingRule[], input: RuleInput): Promise<MappingOutcome> {
    return this.sandbox.evaluate(rules, input);
  }

  /** What `rules` would make of a sample delivery, evaluated exactly as a real one; nothing is stored. */
  async dryRun(sourceId: string, rules: readonly MappingRule[], sample: { body: unknown; headers: Readonly<Record<string, string | undefined>> }): Promise<DryRunResult> {
    const receivedAt = new Date();
    const deliveryId = sample.headers['webhook-id'] ?? sample.headers['x-github-delivery'] ?? 'dry-run';
    const outcome = await this.map(rules, { body: sample.body, headers: visibleHeaders(sample.headers), deliveryId, receivedAt: receivedAt.toISOString() });
    if (outcome.kind === 'unmatched') return { matched: null, events: [] };
    if (outcome.kind === 'failed') return { matched: outcome.rule, events: [], error: outcome };
    try {
      return { matched: outcome.rule, events: [toCustomEvent(outcome.outputs, { sourceId, deliveryId, receivedAt })] };
    } catch (error) {
      if (!(error instanceof MappingOutputError)) throw error;
      return { matched: outcome.rule, events: [], error: { rule: outcome.rule, field: error.field, code: 'invalid_output', message: error.message } };
    }
  }
}

export interface DryRunResult {
  /** The rule that picked the sample; null when none did (a real delivery would be counted as unmatched). */
  readonly matched: string | null;
  readonly events: NormalizedEvent[];
  readonly error?: { readonly rule: string; readonly field: string; readonly code: string; readonly message: string; readonly position?: number };
}

export function ruleInput(delivery: Pick<WebhookDelivery, 'body' | 'deliveryId'>, receivedAt: Date): RuleInput {
  const envelope = delivery.body as { headers?: Record<string, string>; body?: unknown };
  return { body: envelope.body ?? null, headers: envelope.headers ?? {}, deliveryId: delivery.deliveryId, receivedAt: receivedAt.toISOString() };
}

export function visibleHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HIDDEN_HEADERS.test(name) || Object.keys(kept).length >= MAX_HEADERS) continue;
    kept[name] = value.slice(0, MAX_HEADER_LENGTH);
  }
  return kept;
}

/** JSON, or a form-encoded body whose `payload` field is JSON (GitHub's other content type). */
function parseBody(request: IncomingWebhook): unknown {
  const text = request.body.toString('utf8');
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  const json = type.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(text).get('payload') : text;
  if (json === null) throw invalidBody('body', 'a form-encoded delivery must carry its JSON in the "payload" field', 'formPayload');
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw invalidBody('body', 'the body is not JSON', 'notJson');
  }
}

function invalidBody(field: string, message: string, key: string): DomainError {
  return new DomainError('validation_failed', {}, [{ field, rule: 'customDelivery', message, messageKey: `validation.custom.${key}` }]);
}
