import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { HealthIndicator } from './health-indicator';

export function postgresIndicator(dataSource: DataSource, critical = true): HealthIndicator {
  return { name: 'postgres', critical, check: async () => void (await dataSource.query('SELECT 1')) };
}

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

export function redisIndicator(ping: () => Promise<unknown>, critical: boolean): HealthIndicator {
  return { name: 'redis', critical, check: async () => void (await ping()) };
}
