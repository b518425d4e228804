import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { ConsumerRunner, TopicName } from '@activity/messaging';
import type { HealthIndicator } from '@activity/observability';

/** Ties a consumer runner to the app's life: starts after bootstrap, stops (committing offsets) before connections close. */
export class ManagedConsumer<T extends TopicName> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    readonly name: string,
    private readonly runner: ConsumerRunner<T>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  healthIndicators(): HealthIndicator[] {
    return [
      {
        name: this.name,
        critical: true,
        check: async () => {
          if (!this.runner.isRunning) throw new Error('consumer is not running');
        },
      },
      {
        // Degraded, not down: the consumer is fine and resumes by itself once the dependency is back.
        name: `${this.name}-progress`,
        critical: false,
        check: async () => {
          const waiting = this.runner.waitingOnDependency;
          if (waiting) throw new Error(`waiting for a dependency: ${waiting}`);
        },
      },
    ];
  }
}
