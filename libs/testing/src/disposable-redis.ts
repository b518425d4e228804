import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './wait-for';

/**
 * A redis-server of a test's own on `port` (nothing kept on disk), so a fault test can stop and
 * restart Redis without touching the machine's instance the rest of the suite shares.
 */
export class DisposableRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(port: number): Promise<DisposableRedis> {
    const redis = new DisposableRedis(port);
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    await waitFor(`redis-server on ${this.port}`, () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (is the port free?)`);
      return answers(this.port);
    });
  }

  /** A crash: SIGKILL, every connection cut, every key gone (nothing on disk). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  destroy(): Promise<void> {
    return this.kill();
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
