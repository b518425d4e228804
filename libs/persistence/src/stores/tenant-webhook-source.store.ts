import { Inject, Injectable } from '@nestjs/common';
import { SecretCipher } from '../secret-cipher';
import { tenantOf, type TenantTransaction } from '../tenant-transaction';

export interface TenantWebhookSource {
  readonly connector: string;
  readonly sourceId: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly settings: Record<string, unknown>;
  readonly liveSecrets: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface SourceRow {
  connector: string;
  id: string;
  name: string;
  status: 'active' | 'disabled';
  settings: Record<string, unknown>;
  live: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT s.connector, s.id, s.name, s.status, s.settings, s.created_at, s.updated_at,
    (SELECT count(*)::int FROM webhook_source_secrets x WHERE x.connector = s.connector AND x.source_id = s.id AND (x.expires_at IS NULL OR x.expires_at > now())) AS live
  FROM webhook_sources s`;

/**
 * A tenant's own webhook sources, for its admins (`/v2/webhook-sources`): every query runs in the tenant's transaction, so row-level security keeps
 * other tenants' sources out of sight (another tenant's source is "not found", never "forbidden").
 */
@Injectable()
export class TenantWebhookSourceStore {
  constructor(@Inject(SecretCipher) private readonly cipher: SecretCipher) {}

  /**
   * Where a connector's platform should deliver for this tenant: its oldest active source of that
   * connector, with the newest live secret (push subscriptions are created with it). Null: none.
   */
  async intakeOf(tx: TenantTransaction, connector: string): Promise<{ sourceId: string; secret: string } | null> {
    const rows: Array<{ id: string; ciphertext: string }> = await tx.query(
      `SELECT s.id, x.ciphertext
         FROM webhook_sources s
         JOIN webhook_source_secrets x ON x.connector = s.connector AND x.source_id = s.id AND (x.expires_at IS NULL OR x.expires_at > now())
        WHERE s.tenant_id = $1 AND s.connector = $2 AND s.status = 'active'
        ORDER BY s.created_at, s.id, x.created_at DESC
        LIMIT 1`,
      [tenantOf(tx), connector],
    );
    return rows[0] ? { sourceId: rows[0].id, secret: this.cipher.open(rows[0].ciphertext) } : null;
  }

  async list(tx: TenantTransaction): Promise<TenantWebhookSource[]> {
    const rows: SourceRow[] = await tx.query(`${SELECT} ORDER BY s.connector, s.id`);
    return rows.map(toSource);
  }

  /** Sources with this id, whatever their connector (ids are unique per connector only; the API creates them unique). */
  async findById(tx: TenantTransaction, sourceId: string, options: { lock?: boolean } = {}): Promise<TenantWebhookSource[]> {
    const rows: SourceRow[] = await tx.query(`${SELECT} WHERE s.id = $1 ${options.lock ? 'FOR UPDATE OF s' : ''}`, [sourceId]);
    return rows.map(toSource);
  }

  /** False when the id is taken (in this tenant or another: ids are part of public URLs). */
  async create(tx: TenantTransaction, source: { connector: string; sourceId: string; name: string; settings: Record<string, unknown> }, secret: string): Promise<boolean> {
    const inserted: Array<{ id: string }> = await tx.query(
      `INSERT INTO webhook_sources (connector, id, tenant_id, name, settings) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (connector, id) DO NOTHING RETURNING id`,
      [source.connector, source.sourceId, tenantOf(tx), source.name, JSON.stringify(source.settings)],
    );
    if (inserted.length === 0) return false;
    await this.addSecret(tx, source.connector, source.sourceId, secret);
    return true;
  }

  async update(
    tx: TenantTransaction,
    connector: string,
    sourceId: string,
    change: { name?: string; status?: 'active' | 'disabled'; settings?: Record<string, unknown> },
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_sources SET name = COALESCE($3, name), status = COALESCE($4, status), settings = COALESCE($5::jsonb, settings), updated_at = now()
        WHERE connector = $1 AND id = $2`,
      [connector, sourceId, change.name ?? null, change.status ?? null, change.settings ? JSON.stringify(change.settings) : null],
    );
  }

  async remove(tx: TenantTransaction, connector: string, sourceId: string): Promise<void> {
    await tx.query(`DELETE FROM webhook_sources WHERE connector = $1 AND id = $2`, [connector, sourceId]);
  }

  /** Adds `secret`; every other live secret expires after `graceSeconds` (0: at once). Returns how many were given an expiry. */
  async rotate(tx: TenantTransaction, connector: string, sourceId: string, secret: string, graceSeconds: number): Promise<number> {
    // A bare UPDATE answers [rows, count] through TypeORM; a CTE answers rows.
    const [{ expired }]: Array<{ expired: number }> = await tx.query(
      `WITH updated AS (
         UPDATE webhook_source_secrets SET expires_at = now() + make_interval(secs => $3::int)
          WHERE connector = $1 AND source_id = $2 AND (expires_at IS NULL OR expires_at > now() + make_interval(secs => $3::int))
          RETURNING id)
       SELECT count(*)::int AS expired FROM updated`,
      [connector, sourceId, graceSeconds],
    );
    await this.addSecret(tx, connector, sourceId, secret);
    return expired;
  }

  private async addSecret(tx: TenantTransaction, connector: string, sourceId: string, secret: string): Promise<void> {
    await tx.query(`INSERT INTO webhook_source_secrets (connector, source_id, tenant_id, ciphertext, key_id) VALUES ($1, $2, $3, $4, $5)`, [
      connector,
      sourceId,
      tenantOf(tx),
      this.cipher.seal(secret),
      this.cipher.keyId,
    ]);
  }
}

function toSource(row: SourceRow): TenantWebhookSource {
  return {
    connector: row.connector,
    sourceId: row.id,
    name: row.name,
    status: row.status,
    settings: row.settings,
    liveSecrets: row.live,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
