import type { DataSource } from 'typeorm';
import type { HealthIndicator } from './health-indicator';

export function postgresIndicator(dataSource: DataSource, critical = true): HealthIndicator {
  return { name: 'postgres', critical, check: async () => void (await dataSource.query('SELECT 1')) };
}

export function redisIndicator(ping: () => Promise<unknown>, critical: boolean): HealthIndicator {
  return { name: 'redis', critical, check: async () => void (await ping()) };
}
