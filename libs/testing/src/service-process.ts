import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait-for';

const ROOT = path.resolve(__dirname, '../../..');

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export type ServiceName = 'feed-api' | 'ingest-gateway' | 'connector-workers' | 'outbox-relay';

/**
 * One real service process, started from the build in dist/ (tools/test.mjs builds first),
 * so integration tests exercise exactly what `npm start` runs.
 */
export class ServiceProcess {
  private readonly output: string[] = [];
  private exit: Promise<ExitStatus>;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 500) this.output.shift();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    // 'close', not 'exit': it fires after stdout is drained, so logs() holds the last lines.
    this.exit = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /**
   * The four services on ports base (feed-api), base+1 (ingest-gateway), base+2
   * (connector-workers) and base+3 (outbox-relay), all with `env`; the HTTP services first.
   */
  static async startAll(
    base: number,
    env: Record<string, string>,
  ): Promise<{ feedApi: ServiceProcess; gateway: ServiceProcess; workers: ServiceProcess; relay: ServiceProcess; all: ServiceProcess[] }> {
    const [feedApi, gateway] = await Promise.all([ServiceProcess.start('feed-api', base, env), ServiceProcess.start('ingest-gateway', base + 1, env)]);
    const [workers, relay] = await Promise.all([ServiceProcess.start('connector-workers', base + 2, env), ServiceProcess.start('outbox-relay', base + 3, env)]);
    return { feedApi, gateway, workers, relay, all: [feedApi, gateway, workers, relay] };
  }

  static async start(name: ServiceName, port: number, env: Record<string, string>, options: { waitFor?: 'ready' | 'live' } = {}): Promise<ServiceProcess> {
    const entry = path.join(ROOT, 'dist/apps', name, 'src/main.js');
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', '--enable-source-maps', entry], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        HTTP_HOST: '127.0.0.1',
        PORT: String(port),
        SHUTDOWN_GRACE_MS: '10000',
        // `npm test -- --coverage`: the service writes its V8 coverage there when it exits.
        ...(process.env['ACTIVITY_CHILD_V8_COVERAGE'] ? { NODE_V8_COVERAGE: process.env['ACTIVITY_CHILD_V8_COVERAGE'] } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(name, port, child);
    const probe = options.waitFor === 'live' ? '/health/live' : '/health/ready';
    try {
      await waitFor(
        `${name} ${probe}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${service.logs()}`);
          const response = await fetch(`${service.url}${probe}`, { signal: AbortSignal.timeout(2_000) });
          return response.ok;
        },
        30_000,
        200,
      );
    } catch (error) {
      await service.stop();
      throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${service.logs()}`);
    }
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  logs(): string {
    return this.output.join('');
  }

  /**
   * SIGTERM and wait for the exit (SIGKILL after 15 s). Nest re-raises SIGTERM after its orderly
   * shutdown, so a clean stop reports `signal: 'SIGTERM'`; `SIGKILL` means it hung.
   */
  async stop(): Promise<ExitStatus> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return { code: this.child.exitCode, signal: this.child.signalCode };
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Simulates a crash. */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}
