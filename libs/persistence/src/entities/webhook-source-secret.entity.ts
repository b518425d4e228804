import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One signing secret of a webhook source; several may be live at once during rotation. */
@Entity({ name: 'webhook_source_secrets' })
export class WebhookSourceSecretEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'text' })
  connector!: string;

  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** AES-256-GCM sealed secret, see SecretCipher. */
  @Column({ type: 'text' })
  ciphertext!: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
