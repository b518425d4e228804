import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './wait-for';

const ROOT = path.resolve(__dirname, '../../..');
const run = promisify(execFile);
// Fixed, like deploy/kafka/kafka.sh's: formatting is deterministic; it is not a secret.
const CLUSTER_ID = 'cmVsaWFiaWxpdHktdGVzdA';

export interface LocalKafkaClusterOptions {
  /** 1 or 3 nodes; each is broker and controller (KRaft), as deploy/kafka runs one. */
  readonly nodes: number;
  /** Node i listens on basePort + i (clients) and basePort + 10 + i (controller quorum). */
  readonly basePort: number;
  /** Topic replication and min.insync.replicas (3 nodes: 3 and 2). */
  readonly replicationFactor?: number;
  readonly minInsyncReplicas?: number;
  /**
   * How long the controller waits for a dead broker's heartbeat before moving its partition
   * leaderships (Kafka's default is 9000 ms: that long, produces to those partitions fail).
   */
  readonly brokerSessionTimeoutMs?: number;
}

/**
 * A Kafka cluster of its own for fault tests (KRaft on loopback, from the same Maven Central jars
 * as deploy/kafka), so a test can SIGKILL and restart brokers without touching the broker the
 * rest of the suite shares. Data lives in a temporary folder that `destroy()` removes.
 */
export class LocalKafkaCluster {
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    private readonly classpath: string,
    private readonly options: Required<LocalKafkaClusterOptions>,
  ) {}

  static async start(options: LocalKafkaClusterOptions): Promise<LocalKafkaCluster> {
    const resolved: Required<LocalKafkaClusterOptions> = {
      replicationFactor: Math.min(3, options.nodes),
      minInsyncReplicas: options.nodes >= 3 ? 2 : 1,
      brokerSessionTimeoutMs: 9_000,
      ...options,
    };
    const { stdout } = await run('bash', [path.join(ROOT, 'deploy/kafka/kafka.sh'), 'jars'], { timeout: 300_000 });
    const libs = stdout.trim().split('\n').pop()!;
    const cluster = new LocalKafkaCluster(mkdtempSync(path.join(tmpdir(), 'kafka-cluster-')), `${libs}/*`, resolved);
    try {
      for (const node of cluster.nodeIds) {
        cluster.writeConfig(node);
        await run('java', ['-cp', cluster.classpath, 'kafka.tools.StorageTool', 'format', '-t', CLUSTER_ID, '-c', cluster.configOf(node), '--ignore-formatted'], {
          timeout: 120_000,
        });
      }
      for (const node of cluster.nodeIds) cluster.launch(node);
      await cluster.waitUntilServing(cluster.nodeIds.length);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  get nodeIds(): number[] {
    return Array.from({ length: this.options.nodes }, (_, index) => index + 1);
  }

  /** The bootstrap list for clients: every node. */
  get brokers(): string {
    return this.nodeIds.map((node) => `127.0.0.1:${this.portOf(node)}`).join(',');
  }

  /** Topic replication for this cluster (3 nodes: 3). */
  get replicationFactor(): number {
    return this.options.replicationFactor;
  }

  /** A crash: SIGKILL, no orderly shutdown, the log recovered when it starts again. */
  kill(node: number): void {
    this.processes.get(node)?.kill('SIGKILL');
    this.processes.delete(node);
  }

  /** Starts a killed node again and waits until the cluster has all its brokers. */
  async restart(node: number): Promise<void> {
    this.launch(node);
    await this.waitUntilServing(this.nodeIds.length);
  }

  async destroy(): Promise<void> {
    const exits = [...this.processes.values()].map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve))));
    for (const node of [...this.processes.keys()]) this.kill(node);
    await Promise.all(exits);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private portOf(node: number): number {
    return this.options.basePort + node - 1;
  }

  private controllerPortOf(node: number): number {
    return this.options.basePort + 10 + node - 1;
  }

  private configOf(node: number): string {
    return path.join(this.dir, `node-${node}.properties`);
  }

  private writeConfig(node: number): void {
    const voters = this.nodeIds.map((id) => `${id}@127.0.0.1:${this.controllerPortOf(id)}`).join(',');
    const data = path.join(this.dir, `data-${node}`);
    mkdirSync(data, { recursive: true });
    const { replicationFactor, minInsyncReplicas, brokerSessionTimeoutMs } = this.options;
    writeFileSync(
      this.configOf(node),
      [
        'process.roles=broker,controller',
        `node.id=${node}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.portOf(node)},CONTROLLER://127.0.0.1:${this.controllerPortOf(node)}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.portOf(node)}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${data}`,
        `offsets.topic.replication.factor=${replicationFactor}`,
        'offsets.topic.num.partitions=6',
        `transaction.state.log.replication.factor=${replicationFactor}`,
        `transaction.state.log.min.isr=${minInsyncReplicas}`,
        `share.coordinator.state.topic.replication.factor=${replicationFactor}`,
        `share.coordinator.state.topic.min.isr=${minInsyncReplicas}`,
        `default.replication.factor=${replicationFactor}`,
        `min.insync.replicas=${minInsyncReplicas}`,
        'auto.create.topics.enable=false',
        'group.initial.rebalance.delay.ms=0',
        // Replicas of a killed broker are dropped from the ISR after this long; the default (30 s) would
        // keep acks=all produces waiting on a dead follower for that long.
        'replica.lag.time.max.ms=5000',
        `broker.session.timeout.ms=${brokerSessionTimeoutMs}`,
        `broker.heartbeat.interval.ms=${Math.min(2_000, Math.floor(brokerSessionTimeoutMs / 4))}`,
        '',
      ].join('\n'),
    );
  }

  private launch(node: number): void {
    const log = createWriteStream(path.join(this.dir, `node-${node}.log`), { flags: 'a' });
    const child = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${path.join(ROOT, 'deploy/kafka/log4j2.yaml')}`,
        '-cp',
        this.classpath,
        'kafka.Kafka',
        this.configOf(node),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.processes.set(node, child);
  }

  /** Until `count` brokers are registered and every live node answers metadata. */
  private async waitUntilServing(count: number): Promise<void> {
    const admin = new Kafka({ brokers: this.brokers.split(','), clientId: 'kafka-cluster-probe', logLevel: logLevel.NOTHING, connectionTimeout: 1_000 }).admin();
    try {
      await waitFor(
        `a Kafka cluster of ${count} brokers on ${this.brokers}`,
        async () => {
          for (const [node, child] of this.processes)
            if (child.exitCode !== null) throw new Error(`Kafka node ${node} exited with ${child.exitCode}; see ${this.dir}/node-${node}.log`);
          await admin.connect();
          const { brokers } = await admin.describeCluster();
          return brokers.length >= count;
        },
        120_000,
        500,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
