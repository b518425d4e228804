import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

@Entity({ name: 'sync_runs' })
export class SyncRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'account_link_id', type: 'uuid' })
  accountLinkId!: string;

  @Column({ type: 'text' })
  connector!: string;

  @Column({ type: 'text' })
  trigger!: string;

  @Column({ type: 'text' })
  status!: SyncRunStatus;

  @Column({ name: 'events_created', type: 'integer' })
  eventsCreated!: number;

  @Column({ name: 'api_calls', type: 'integer' })
  apiCalls!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
