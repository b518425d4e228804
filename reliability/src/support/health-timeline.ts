/** One service's readiness answers over time: [ms since start, HTTP status or 0 when unreachable, the body's status]. */
export type ReadinessSamples = Array<[number, number, string]>;

/**
 * Polls `/health/ready` of some services every 250 ms while a scenario runs, so a test can check
 * that readiness told the truth during the fault (went red when a critical dependency was down)
 * and after it (green again).
 */
export class HealthTimeline {
  readonly samples = new Map<string, ReadinessSamples>();
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  /** Services with a probe still in flight: the next one waits, so samples stay in order. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly services: Record<string, string>) {
    for (const name of Object.keys(services)) this.samples.set(name, []);
  }

  start(): void {
    this.timer = setInterval(() => void this.sample(), 250);
  }

  private async sample(): Promise<void> {
    await Promise.all(
      Object.entries(this.services).map(async ([name, url]) => {
        if (this.inFlight.has(name)) return;
        this.inFlight.add(name);
        const at = Date.now() - this.started;
        let status = 0;
        let body = 'unreachable';
        try {
          const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
          status = response.status;
          body = ((await response.json()) as { status?: string }).status ?? 'unknown';
        } catch {
          // unreachable (or an answer that is not the readiness report)
        }
        this.samples.get(name)!.push([at, status, body]);
        this.inFlight.delete(name);
      }),
    );
  }

  /** Whether `name` answered anything but 200 (or not at all) at some point. */
  wentRed(name: string): boolean {
    return this.samples.get(name)!.some(([, status]) => status !== 200);
  }

  /** Whether `name` answered 200 with a body saying "degraded" at some point (an optional dependency down). */
  wentDegraded(name: string): boolean {
    return this.samples.get(name)!.some(([, status, body]) => status === 200 && body === 'degraded');
  }

  /** Whether `name` answered 200 in its last sample. */
  isGreen(name: string): boolean {
    const samples = this.samples.get(name)!;
    return samples.length > 0 && samples[samples.length - 1]![1] === 200;
  }

  /** Transitions only, e.g. "ingest-gateway ok@0 down@2250 ok@6000" (the body's status; "unreachable" when nothing answered). */
  describe(): string {
    return [...this.samples.entries()]
      .map(
        ([name, samples]) =>
          `${name} ${samples
            .filter((sample, index) => index === 0 || samples[index - 1]![2] !== sample[2])
            .map(([at, , body]) => `${body}@${at}`)
            .join(' ')}`,
      )
      .join('; ');
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
