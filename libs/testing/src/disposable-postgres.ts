import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresBin, runPostgresTool } from './postgres-cluster-tools';

/**
 * A PostgreSQL server of a test's own (initdb on `port`), so a fault test can stop, crash and
 * restart the database without touching the machine's cluster the rest of the suite shares.
 * `destroy()` removes it.
 */
export class DisposablePostgres {
  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    readonly port: number,
  ) {}

  static async start(port: number): Promise<DisposablePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-fault-'));
    chmodSync(dir, 0o777);
    const server = new DisposablePostgres(dir, postgresBin(), port);
    try {
      await server.tool('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      appendFileSync(
        path.join(server.dataDir, 'postgresql.conf'),
        [`port = ${port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`, 'max_connections = 200', 'fsync = off', 'full_page_writes = off', ''].join('\n'),
      );
      await server.resume();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private tool(name: string, args: string[]): Promise<void> {
    return runPostgresTool(path.join(this.bin, name), args, this.dir);
  }

  url(user: string, database: string): string {
    return `postgres://${user}@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * Stops the server: `fast` ends sessions and checkpoints, `immediate` is a crash (no checkpoint;
   * WAL replayed at the next start). Either way every client connection is cut.
   */
  async halt(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.tool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  async resume(): Promise<void> {
    await this.tool('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-w', 'start']);
  }

  async destroy(): Promise<void> {
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) await this.halt('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
