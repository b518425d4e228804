import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pino from 'pino';
import { testEnvironment } from '@activity/testing';
import { awaitGroupCoordinator } from './group-coordinator';

/** A logger that records what it was asked to log. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, lines };
}

describe('awaitGroupCoordinator (real broker)', () => {
  const { kafkaBrokers, topicPrefix } = testEnvironment();

  it('resolves for new groups on a running broker, at once once the offsets topic is up, never logging an error', async () => {
    const first = recordingLogger();
    // On a just-started broker this may wait for __consumer_offsets to be created and loaded.
    await awaitGroupCoordinator(kafkaBrokers, `${topicPrefix}coordinator-${randomUUID()}`, first.logger, 30_000);
    expect(first.lines.filter((line) => line.level >= 40)).toEqual([]);
    const second = recordingLogger();
    await awaitGroupCoordinator(kafkaBrokers, `${topicPrefix}coordinator-${randomUUID()}`, second.logger, 30_000);
    expect(second.lines).toEqual([]);
  });

  it('gives up after its timeout when no broker answers, with one info line and no error', async () => {
    // A port with nothing listening: bind, note the port, close.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const { logger, lines } = recordingLogger();
    const started = Date.now();
    await awaitGroupCoordinator(`127.0.0.1:${port}`, 'nobody-home', logger, 1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([[30, 'waiting for the Kafka group coordinator']]);
  });
});
