/** A dependency the service reports on at /health/ready. */
export interface HealthIndicator {
  readonly name: string;
  /** Critical dependencies make the service not ready; others only make it "degraded". */
  readonly critical: boolean;
  check(): Promise<void>;
}

export type DependencyStatus = 'up' | 'down';

export interface ReadinessReport {
  status: 'ok' | 'degraded' | 'down';
  checks: Record<string, { status: DependencyStatus; critical: boolean; latencyMs: number; error?: string }>;
}

export async function checkReadiness(indicators: readonly HealthIndicator[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const results = await Promise.all(
    indicators.map(async (indicator) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          indicator.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { indicator, status: 'up' as const, latencyMs: performance.now() - started };
      } catch (error) {
        return { indicator, status: 'down' as const, latencyMs: performance.now() - started, error: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks: ReadinessReport['checks'] = {};
  for (const result of results) {
    checks[result.indicator.name] = {
      status: result.status,
      critical: result.indicator.critical,
      latencyMs: Math.round(result.latencyMs),
      ...(result.error ? { error: result.error } : {}),
    };
  }
  const down = results.filter((r) => r.status === 'down');
  const status = down.some((r) => r.indicator.critical) ? 'down' : down.length ? 'degraded' : 'ok';
  return { status, checks };
}
