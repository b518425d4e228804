import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

/**
 * Stops and restarts the local broker, for fault tests. Only a broker this checkout started
 * (deploy/kafka/kafka.sh, which npm test uses when nothing answers on 9092) can be controlled; with
 * any other broker the test fails and says so rather than pretending.
 */
export const localKafka = {
  assertControllable(): void {
    if (!existsSync(path.join(ROOT, '.local/kafka/kafka.pid'))) {
      throw new Error(
        'This test stops and restarts Kafka, so it needs the broker started by deploy/kafka/kafka.sh in this checkout (npm test starts it when nothing answers on 9092). Stop the other broker and rerun.',
      );
    }
  },
  async stop(): Promise<void> {
    await run('bash', [path.join(ROOT, 'deploy/kafka/kafka.sh'), 'stop']);
  },
  async start(): Promise<void> {
    await run('bash', [path.join(ROOT, 'deploy/kafka/kafka.sh'), 'start'], { timeout: 120_000 });
  },
};
