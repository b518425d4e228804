import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@activity/observability';

/** Consumer metrics, in the service's registry. */
export const consumerMessages = new Counter({
  name: 'kafka_consumer_messages_total',
  help: 'Messages handled by our consumers, by topic, consumer group and result (processed, duplicate, failed, dead_lettered)',
  labelNames: ['topic', 'group', 'result'] as const,
  registers: [metricsRegistry],
});

export const consumerLag = new Gauge({
  name: 'kafka_consumer_lag',
  help: 'Messages behind the partition high watermark after the last batch, by topic, partition and consumer group',
  labelNames: ['topic', 'partition', 'group'] as const,
  registers: [metricsRegistry],
});

/** How many publishes and messages each produce request carried (group commit, see EventPublisher). */
export const producerGroupSize = new Histogram({
  name: 'kafka_producer_group_publishes',
  help: 'Publishes sent together in one produce request (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers: [metricsRegistry],
});

/** How many messages each batch handler call took (consumers bound with `batch`). */
export const consumerBatchSizes = new Histogram({
  name: 'kafka_consumer_batch_messages',
  help: 'Messages handled together in one batch handler call, by topic and consumer group',
  labelNames: ['topic', 'group'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [metricsRegistry],
});
