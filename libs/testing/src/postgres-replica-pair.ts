import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresBin, runPostgresTool } from './postgres-cluster-tools';

/**
 * A primary and a streaming replica of the machine's PostgreSQL, made for one test run: `initdb`
 * a primary on `primaryPort`, `pg_basebackup -R` a replica from it, started on `replicaPort`. The
 * machine's own cluster and its pg_hba.conf are not touched; `stop()` removes both.
 */
export class PostgresReplicaPair {
  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(primaryPort: number, replicaPort: number): Promise<PostgresReplicaPair> {
    const bin = postgresBin();
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-replica-'));
    chmodSync(dir, 0o777);
    const pair = new PostgresReplicaPair(dir, bin, primaryPort, replicaPort);
    try {
      await pair.as(path.join(bin, 'initdb'), ['-D', pair.primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      appendFileSync(
        path.join(pair.primaryDir, 'postgresql.conf'),
        [
          `port = ${primaryPort}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${dir}'`,
          'wal_level = replica',
          'max_wal_senders = 4',
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          '',
        ].join('\n'),
      );
      await pair.as(path.join(bin, 'pg_ctl'), ['-D', pair.primaryDir, '-l', path.join(dir, 'primary.log'), '-w', 'start']);
      // initdb -A trust allows replication connections from 127.0.0.1 in its own pg_hba.conf.
      await pair.as(path.join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', pair.replicaDir, '-R', '-X', 'stream', '--no-sync']);
      appendFileSync(path.join(pair.replicaDir, 'postgresql.auto.conf'), `port = ${replicaPort}\nhot_standby = on\n`);
      await pair.as(path.join(bin, 'pg_ctl'), ['-D', pair.replicaDir, '-l', path.join(dir, 'replica.log'), '-w', 'start']);
    } catch (error) {
      await pair.stop();
      throw error;
    }
    return pair;
  }

  private get primaryDir(): string {
    return path.join(this.dir, 'primary');
  }

  private get replicaDir(): string {
    return path.join(this.dir, 'replica');
  }

  private as(command: string, args: string[]): Promise<void> {
    return runPostgresTool(command, args, this.dir);
  }

  /** A URL on the primary or the replica for `user` and `database`. */
  url(node: 'primary' | 'replica', user: string, database: string): string {
    return `postgres://${user}@127.0.0.1:${node === 'primary' ? this.primaryPort : this.replicaPort}/${database}`;
  }

  async stop(): Promise<void> {
    for (const data of [this.replicaDir, this.primaryDir]) {
      if (existsSync(path.join(data, 'postmaster.pid'))) await this.as(path.join(this.bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
