import type { HealthIndicator } from './health-indicator';

/**
 * The checks a service reports at /health/ready. The app adds its dependencies at start-up;
 * components that come and go with the app (consumers) add their own when they start.
 */
export class HealthRegistry {
  private readonly indicators: HealthIndicator[] = [];

  constructor(initial: readonly HealthIndicator[] = []) {
    this.add(...initial);
  }

  add(...indicators: HealthIndicator[]): void {
    for (const indicator of indicators) {
      if (this.indicators.some((known) => known.name === indicator.name)) throw new Error(`health check "${indicator.name}" is registered twice`);
      this.indicators.push(indicator);
    }
  }

  list(): readonly HealthIndicator[] {
    return this.indicators;
  }
}
