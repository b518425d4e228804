import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'webhook_sources' })
export class WebhookSourceEntity {
  @PrimaryColumn({ type: 'text' })
  connector!: string;

  /** The `{sourceId}` of `/v1/webhooks/{connector}/{sourceId}`; unique per connector. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: 'active' | 'disabled';

  @Column({ type: 'jsonb' })
  settings!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
