import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ActivityObject } from '@activity/domain';

@Entity({ name: 'activity_events' })
export class ActivityEventEntity {
  /** bigint identity; kept as a string because it can exceed Number.MAX_SAFE_INTEGER. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'source_event_id', type: 'text' })
  sourceEventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  actor!: ActivityObject;

  @Column({ type: 'jsonb', nullable: true })
  object!: ActivityObject | null;

  @Column({ type: 'jsonb', nullable: true })
  target!: ActivityObject | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;
}
