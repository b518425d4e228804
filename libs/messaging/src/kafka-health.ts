import type { Admin } from 'kafkajs';
import type { HealthIndicator } from '@activity/observability';

/** Asks the cluster for its metadata; a connected admin client is reused between checks. */
export function kafkaIndicator(admin: Admin, critical = true): HealthIndicator {
  let connected: Promise<void> | undefined;
  return {
    name: 'kafka',
    critical,
    check: async () => {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      await admin.describeCluster();
    },
  };
}
