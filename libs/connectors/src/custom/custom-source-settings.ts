import type { WebhookSourceSettings } from '@activity/connector-sdk';
import type { MappingRule } from './mapping-rule';

/**
 * How a custom source's deliveries are signed:
 * - `standard-webhooks`: `webhook-id` / `webhook-timestamp` / `webhook-signature` with `v1,` HMAC
 *   (a `whsec_` secret) or `v1a,` Ed25519 (a `whpk_` public key), ±5 minutes;
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC of the body>`, `X-GitHub-Delivery` as the
 *   delivery id (GitHub signs no timestamp: replays are stopped by the delivery id only).
 */
export type SignatureScheme = 'standard-webhooks' | 'github';
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['standard-webhooks', 'github'];

export interface CustomSourceSettings {
  readonly signature: SignatureScheme;
  readonly rules: readonly MappingRule[];
}

/** A stored source's settings, read defensively (they were validated when saved). */
export function customSourceSettings(settings: WebhookSourceSettings | undefined): CustomSourceSettings {
  const signature = settings?.['signature'];
  const rules = settings?.['rules'];
  return {
    signature: SIGNATURE_SCHEMES.includes(signature as SignatureScheme) ? (signature as SignatureScheme) : 'standard-webhooks',
    rules: Array.isArray(rules) ? (rules as MappingRule[]) : [],
  };
}
