import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'feed_read_markers' })
export class FeedReadMarkerEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ name: 'last_read_event_id', type: 'bigint' })
  lastReadEventId!: string;

  @Column({ name: 'last_read_occurred_at', type: 'timestamptz' })
  lastReadOccurredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
