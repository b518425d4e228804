import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '../persistence.tokens';
import type { DataSource } from 'typeorm';
import { SecretCipher } from '../secret-cipher';
import { inCrossTenantTransaction } from '../tenant-transaction';

export interface ActiveWebhookSource {
  readonly tenantId: string;
  readonly connector: string;
  readonly sourceId: string;
  readonly settings: Record<string, unknown>;
  /** Every live signing secret, newest first; a delivery signed with any of them is accepted. */
  readonly secrets: readonly string[];
}

/** A source as loaded, with when each secret stops being accepted (null: never). */
export interface LoadedWebhookSource extends Omit<ActiveWebhookSource, 'secrets'> {
  readonly secrets: ReadonlyArray<{ readonly secret: string; readonly expiresAt: number | null }>;
}

/** The source with the secrets still live at `now` (ms since the epoch). */
export function liveSecretsOf(source: LoadedWebhookSource, now = Date.now()): ActiveWebhookSource {
  return { ...source, secrets: source.secrets.filter((entry) => entry.expiresAt === null || entry.expiresAt > now).map((entry) => entry.secret) };
}

/**
 * Webhook sources are looked up by `(connector, sourceId)` before the tenant is known, and listed
 * and rotated by operators across tenants: those transactions are cross-tenant on purpose
 * (inCrossTenantTransaction). The tables are under row-level security like the others, so a
 * tenant-scoped transaction sees only its own sources; the secrets are sealed either way.
 */
@Injectable()
export class WebhookSourceStore {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SecretCipher) private readonly cipher: SecretCipher,
  ) {}

  async findActive(connector: string, sourceId: string): Promise<ActiveWebhookSource | null> {
    const source = await this.load(connector, sourceId);
    return source && liveSecretsOf(source);
  }

  /** A source with every secret still live now and the time each expires (for caches, which check again on use). */
  async load(connector: string, sourceId: string): Promise<LoadedWebhookSource | null> {
    const rows: Array<{ tenant_id: string; settings: Record<string, unknown>; ciphertext: string | null; expires_at: Date | null }> = await inCrossTenantTransaction(
      this.dataSource,
      (manager) =>
        manager.query(
          `SELECT s.tenant_id, s.settings, sec.ciphertext, sec.expires_at
         FROM webhook_sources s
         LEFT JOIN webhook_source_secrets sec
           ON sec.connector = s.connector AND sec.source_id = s.id AND (sec.expires_at IS NULL OR sec.expires_at > now())
        WHERE s.connector = $1 AND s.id = $2 AND s.status = 'active'
        ORDER BY sec.created_at DESC NULLS LAST`,
          [connector, sourceId],
        ),
    );
    const first = rows[0];
    if (!first) return null;
    return {
      tenantId: first.tenant_id,
      connector,
      sourceId,
      settings: first.settings,
      secrets: rows.flatMap((row) => (row.ciphertext ? [{ secret: this.cipher.open(row.ciphertext), expiresAt: row.expires_at ? row.expires_at.getTime() : null }] : [])),
    };
  }

  /** Creates or updates a source and makes sure `secret` is among its live secrets. Idempotent. */
  async upsert(source: { tenantId: string; connector: string; sourceId: string; name: string }, secret: string): Promise<void> {
    await inCrossTenantTransaction(this.dataSource, async (manager) => {
      await manager.query(
        `INSERT INTO webhook_sources (connector, id, tenant_id, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (connector, id) DO UPDATE SET name = EXCLUDED.name, status = 'active', updated_at = now()
         WHERE webhook_sources.tenant_id = EXCLUDED.tenant_id`,
        [source.connector, source.sourceId, source.tenantId, source.name],
      );
      const existing: Array<{ ciphertext: string }> = await manager.query(
        `SELECT ciphertext FROM webhook_source_secrets
          WHERE connector = $1 AND source_id = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [source.connector, source.sourceId],
      );
      if (existing.some((row) => this.cipher.open(row.ciphertext) === secret)) return;
      await manager.query(`INSERT INTO webhook_source_secrets (connector, source_id, tenant_id, ciphertext, key_id) VALUES ($1, $2, $3, $4, $5)`, [
        source.connector,
        source.sourceId,
        source.tenantId,
        this.cipher.seal(secret),
        this.cipher.keyId,
      ]);
    });
  }

  /**
   * Adds `secret` and lets every other live secret expire after `graceHours`, so senders can
   * switch over without a window of refused deliveries. Returns how many old secrets were given an
   * expiry. Fails if the source does not exist.
   */
  async rotate(connector: string, sourceId: string, secret: string, graceHours: number): Promise<number> {
    return inCrossTenantTransaction(this.dataSource, async (manager) => {
      const sources: Array<{ tenant_id: string }> = await manager.query(`SELECT tenant_id FROM webhook_sources WHERE connector = $1 AND id = $2`, [connector, sourceId]);
      if (!sources[0]) throw new Error(`no webhook source ${connector}/${sourceId}`);
      const expired: Array<{ id: string }> = await manager.query(
        `WITH updated AS (
           UPDATE webhook_source_secrets SET expires_at = now() + make_interval(hours => $3::int)
            WHERE connector = $1 AND source_id = $2 AND (expires_at IS NULL OR expires_at > now() + make_interval(hours => $3::int))
            RETURNING id)
         SELECT id FROM updated`,
        [connector, sourceId, graceHours],
      );
      await manager.query(`INSERT INTO webhook_source_secrets (connector, source_id, tenant_id, ciphertext, key_id) VALUES ($1, $2, $3, $4, $5)`, [
        connector,
        sourceId,
        sources[0].tenant_id,
        this.cipher.seal(secret),
        this.cipher.keyId,
      ]);
      return expired.length;
    });
  }

  async list(tenantId?: string): Promise<Array<{ tenantId: string; connector: string; sourceId: string; name: string; status: string; liveSecrets: number }>> {
    const rows: Array<{ tenant_id: string; connector: string; id: string; name: string; status: string; live: number }> = await inCrossTenantTransaction(
      this.dataSource,
      (manager) =>
        manager.query(
          `SELECT s.tenant_id, s.connector, s.id, s.name, s.status,
              (SELECT count(*)::int FROM webhook_source_secrets x WHERE x.connector = s.connector AND x.source_id = s.id AND (x.expires_at IS NULL OR x.expires_at > now())) AS live
         FROM webhook_sources s ${tenantId ? 'WHERE s.tenant_id = $1' : ''} ORDER BY s.tenant_id, s.connector, s.id`,
          tenantId ? [tenantId] : [],
        ),
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, connector: r.connector, sourceId: r.id, name: r.name, status: r.status, liveSecrets: r.live }));
  }
}
