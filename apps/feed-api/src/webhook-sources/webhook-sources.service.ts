import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { customSourceSettings, CustomWebhooks, mappingRuleViolations, type DryRunResult, type MappingRule, type SignatureScheme } from '@activity/connectors';
import { DomainError, type FieldViolation } from '@activity/domain';
import { DATA_SOURCE, inTenantTransaction, TenantWebhookSourceStore, WebhookSourceMappingStore, type TenantTransaction, type TenantWebhookSource } from '@activity/persistence';
import { ConnectorRegistry } from '@activity/use-cases';
import type { CreateWebhookSourceDto, DryRunDto, RotateWebhookSecretDto, UpdateWebhookSourceDto } from './webhook-sources.dto';

const CUSTOM = 'custom';
const DEFAULT_GRACE_SECONDS = 24 * 3600;

export interface WebhookSourceView {
  id: string;
  connector: string;
  name: string;
  status: string;
  /** Where the sender posts (on ingest-gateway). */
  intakePath: string;
  signature?: SignatureScheme;
  /** Ed25519 (`v1a,`) sources verify with public keys; the others with shared secrets. */
  keyType: 'secret' | 'ed25519';
  rules?: readonly MappingRule[];
  liveSecrets: number;
  unmatched: { deliveries: number; lastAt: string | null; samples?: ReadonlyArray<Record<string, unknown>> };
  createdAt: string;
  updatedAt: string;
}

/**
 * A tenant's webhook sources over the API, for its admins: each call runs in the tenant's
 * transaction, so another tenant's source is simply not found. Secrets are generated here, shown
 * once, and stored sealed; mapping rules are compiled before they are saved.
 */
@Injectable()
export class WebhookSourcesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TenantWebhookSourceStore) private readonly sources: TenantWebhookSourceStore,
    @Inject(WebhookSourceMappingStore) private readonly mapping: WebhookSourceMappingStore,
    @Inject(ConnectorRegistry) private readonly connectors: ConnectorRegistry,
  ) {}

  list(tenantId: string): Promise<WebhookSourceView[]> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => Promise.all((await this.sources.list(tx)).map((source) => this.view(tx, source, false))));
  }

  get(tenantId: string, id: string): Promise<WebhookSourceView> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => this.view(tx, await this.find(tx, id), true));
  }

  async create(tenantId: string, input: CreateWebhookSourceDto): Promise<WebhookSourceView & { secret?: string }> {
    const connector = input.connector ?? CUSTOM;
    if (!this.connectors.get(connector)?.receivesWebhooks)
      throw invalid('connector', 'webhookConnector', `"${connector}" is not a connector that receives webhooks`, 'validation.field.connector');
    const custom = connector === CUSTOM;
    const platformKey = this.connectors.get(connector)!.runtime.webhook!.sourceKey;
    if (!custom && (input.signature || input.rules || (input.publicKey && !platformKey)))
      throw invalid('connector', 'customOnly', 'only custom sources have a signature scheme and rules', 'validation.webhookSources.notCustom');
    if (platformKey) checkPlatformKey(connector, platformKey, input.publicKey);
    const signature = input.signature ?? 'standard-webhooks';
    if (custom && input.publicKey && (signature !== 'standard-webhooks' || !input.publicKey.startsWith('whpk_')))
      throw invalid('publicKey', 'ed25519', 'an Ed25519 public key signs Standard Webhooks only', 'validation.webhookSources.publicKey');
    const rules = input.rules ?? [];
    assertRules(rules);
    const secret = input.publicKey ?? newSecret(custom ? signature : 'standard-webhooks');
    const settings = custom ? { signature, rules, ...(input.publicKey ? { keyType: 'ed25519' } : {}) } : {};
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      if ((await this.sources.findById(tx, input.id)).length > 0) throw new DomainError('webhook_source_exists', { sourceId: input.id });
      if (!(await this.sources.create(tx, { connector, sourceId: input.id, name: input.name, settings }, secret)))
        throw new DomainError('webhook_source_exists', { sourceId: input.id });
      const view = await this.view(tx, await this.find(tx, input.id), false);
      return input.publicKey ? view : { ...view, secret };
    });
  }

  update(tenantId: string, id: string, change: UpdateWebhookSourceDto): Promise<WebhookSourceView> {
    if (change.rules) assertRules(change.rules);
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const source = await this.find(tx, id, true);
      const custom = source.connector === CUSTOM;
      if (!custom && (change.signature || change.rules))
        throw invalid('id', 'customOnly', 'only custom sources have a signature scheme and rules', 'validation.webhookSources.notCustom');
      const settings =
        custom && (change.signature || change.rules)
          ? { ...source.settings, ...(change.signature ? { signature: change.signature } : {}), ...(change.rules ? { rules: change.rules } : {}) }
          : undefined;
      await this.sources.update(tx, source.connector, source.sourceId, {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(settings ? { settings } : {}),
      });
      return this.view(tx, await this.find(tx, id), false);
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const source = await this.find(tx, id, true);
      await this.sources.remove(tx, source.connector, source.sourceId);
    });
  }

  /** A new secret (or public key); the current ones keep working for the grace period, so senders can switch without refused deliveries. */
  rotate(tenantId: string, id: string, input: RotateWebhookSecretDto): Promise<{ secret?: string; previousSecretsExpireAt: string; previousSecrets: number }> {
    return inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const source = await this.find(tx, id, true);
      const platformKey = this.connectors.get(source.connector)?.runtime.webhook?.sourceKey;
      if (platformKey) checkPlatformKey(source.connector, platformKey, input.publicKey);
      const ed25519 = source.settings['keyType'] === 'ed25519' || Boolean(platformKey);
      if (ed25519 !== Boolean(input.publicKey) || (source.connector === CUSTOM && input.publicKey && !input.publicKey.startsWith('whpk_')))
        throw invalid(
          'publicKey',
          'keyType',
          ed25519 ? 'an Ed25519 source rotates to a new public key: send publicKey' : 'this source uses shared secrets: send no publicKey',
          'validation.webhookSources.publicKey',
        );
      const secret = input.publicKey ?? newSecret(source.connector === CUSTOM ? customSourceSettings(source.settings).signature : 'standard-webhooks');
      const graceSeconds = input.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      const previousSecrets = await this.sources.rotate(tx, source.connector, source.sourceId, secret, graceSeconds);
      return {
        ...(input.publicKey ? {} : { secret }),
        previousSecrets,
        previousSecretsExpireAt: new Date(Date.now() + graceSeconds * 1000).toISOString(),
      };
    });
  }

  /** What the saved (or the given) rules would make of a sample: the events, or the rule's error with its position; nothing is written. */
  async dryRun(tenantId: string, id: string, input: DryRunDto): Promise<DryRunResult & { outcome: 'matched' | 'unmatched' | 'failed' }> {
    const source = await inTenantTransaction(this.dataSource, tenantId, (tx) => this.find(tx, id));
    const webhook = this.connectors.get(CUSTOM)?.runtime.webhook;
    if (source.connector !== CUSTOM || !(webhook instanceof CustomWebhooks))
      throw invalid('id', 'customOnly', 'dry runs map with rules: only custom sources have them', 'validation.webhookSources.notCustom');
    if (input.rules) assertRules(input.rules);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      if (typeof value !== 'string') throw invalid(`headers.${name}`, 'headers', 'headers must map header names to texts', 'validation.webhookSources.headers');
      headers[name.toLowerCase()] = value;
    }
    const result = await webhook.dryRun(source.sourceId, input.rules ?? customSourceSettings(source.settings).rules, { body: input.body, headers });
    return { outcome: result.error ? 'failed' : result.matched ? 'matched' : 'unmatched', ...result };
  }

  private async find(tx: TenantTransaction, id: string, lock = false): Promise<TenantWebhookSource> {
    const [source] = await this.sources.findById(tx, id, { lock });
    if (!source) throw new DomainError('not_found', { path: `/v2/webhook-sources/${id}` });
    return source;
  }

  private async view(tx: TenantTransaction, source: TenantWebhookSource, withSamples: boolean): Promise<WebhookSourceView> {
    const unmatched = await this.mapping.unmatched(tx, source.connector, source.sourceId);
    const custom = source.connector === CUSTOM ? customSourceSettings(source.settings) : undefined;
    return {
      id: source.sourceId,
      connector: source.connector,
      name: source.name,
      status: source.status,
      intakePath: `/v1/webhooks/${source.connector}/${source.sourceId}`,
      ...(custom ? { signature: custom.signature, rules: custom.rules } : {}),
      keyType: source.settings['keyType'] === 'ed25519' ? 'ed25519' : 'secret',
      liveSecrets: source.liveSecrets,
      unmatched: { deliveries: unmatched.deliveries, lastAt: unmatched.lastAt?.toISOString() ?? null, ...(withSamples ? { samples: unmatched.samples } : {}) },
      createdAt: source.createdAt.toISOString(),
      updatedAt: source.updatedAt.toISOString(),
    };
  }
}

/** Standard Webhooks: `whsec_` and 32 random bytes in base64; GitHub: any string, here 32 random bytes in hex. */
function newSecret(scheme: SignatureScheme): string {
  return scheme === 'github' ? randomBytes(32).toString('hex') : `whsec_${randomBytes(32).toString('base64')}`;
}

function assertRules(rules: unknown): void {
  const violations = mappingRuleViolations(rules);
  if (violations.length) throw new DomainError('validation_failed', {}, violations);
}

function invalid(field: string, rule: string, message: string, messageKey: string, params?: Record<string, string>): DomainError {
  const violation: FieldViolation = { field, rule, message, messageKey, ...(params ? { params } : {}) };
  return new DomainError('validation_failed', {}, [violation]);
}

/** A source whose key the platform gives (Discord's application public key) must be created and rotated with it. */
function checkPlatformKey(connector: string, key: { pattern: RegExp; example: string }, given: string | undefined): void {
  if (!given || !key.pattern.test(given))
    throw invalid('publicKey', 'platformKey', `a ${connector} source needs the platform's public key, e.g. ${key.example}`, 'validation.webhookSources.platformKey', {
      connector,
      example: key.example,
    });
}
