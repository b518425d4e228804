import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor } from './wait-for';

export interface PgBouncerOptions {
  readonly port: number;
  /** The PostgreSQL it pools. */
  readonly upstream: { host: string; port: number };
  /** Roles that may connect (PostgreSQL here trusts local connections; so does this PgBouncer). */
  readonly users: readonly string[];
  readonly poolMode?: 'transaction' | 'session';
  readonly defaultPoolSize?: number;
}

/**
 * A real PgBouncer (Debian package `pgbouncer`) for tests, in transaction mode by default: the mode
 * that breaks session state (SET, LISTEN, session advisory locks) and therefore the one to prove
 * the services against. Runs in the foreground as `postgres` when started by root (it refuses root).
 */
export class PgBouncer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private output: string[],
  ) {}

  static async start(options: PgBouncerOptions): Promise<PgBouncer> {
    const dir = mkdtempSync(path.join(tmpdir(), 'pgbouncer-'));
    chmodSync(dir, 0o777);
    const users = path.join(dir, 'users.txt');
    writeFileSync(users, options.users.map((user) => `"${user}" ""`).join('\n') + '\n', { mode: 0o644 });
    const ini = path.join(dir, 'pgbouncer.ini');
    writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=${options.upstream.host} port=${options.upstream.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${options.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${users}`,
        `pool_mode = ${options.poolMode ?? 'transaction'}`,
        `default_pool_size = ${options.defaultPoolSize ?? 20}`,
        'max_client_conn = 1000',
        'admin_users = postgres',
        'stats_users = postgres',
        // node-postgres sends none of these, but other clients (psql, pgbench) may.
        'ignore_startup_parameters = extra_float_digits,options',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    const asRoot = process.getuid?.() === 0;
    const output: string[] = [];
    const child = spawn('pgbouncer', [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = new Promise<void>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new Error('pgbouncer is not installed (Debian package pgbouncer); .ci/run installs it') : error),
      );
      child.once('spawn', () => resolve());
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await started;
    const bouncer = new PgBouncer(child, dir, options.port, output);
    try {
      await waitFor('pgbouncer to answer', async () => (await bouncer.stats()) !== undefined, 10_000, 100);
    } catch (error) {
      await bouncer.stop();
      throw new Error(`${(error as Error).message}\n${output.join('')}`);
    }
    return bouncer;
  }

  /** A URL through this PgBouncer for the same role and database as `url`. */
  urlFor(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  /** `SHOW STATS` from the admin console, by database. */
  async stats(): Promise<Map<string, { transactions: number; queries: number }>> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'pgbouncer', connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ database: string; total_xact_count: string; total_query_count: string }>('SHOW STATS');
      return new Map(rows.map((row) => [row.database, { transactions: Number(row.total_xact_count), queries: Number(row.total_query_count) }]));
    } finally {
      await client.end();
    }
  }

  logs(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
