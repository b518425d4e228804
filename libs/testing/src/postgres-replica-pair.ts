import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries of the machine (Debian keeps them in /usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => existsSync(path.join(root, name, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (initdb, pg_ctl, pg_basebackup)');
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

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

  /** PostgreSQL refuses to run as root: as root, run its tools as `postgres`. */
  private async as(command: string, args: string[]): Promise<void> {
    const root = process.getuid?.() === 0;
    try {
      await (root ? run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir }) : run(command, args, { cwd: this.dir }));
    } catch (error) {
      const failure = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${path.basename(command)} failed: ${failure.stderr || failure.stdout || failure.message}`);
    }
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
