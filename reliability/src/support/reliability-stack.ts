import { mkdirSync } from 'node:fs';
import { issueDevToken, loadOrCreateDevKeyPair } from '@activity/auth';
import { createDataSource, SeedData } from '@activity/persistence';
import { MessageKey, partitionerFor } from '@activity/messaging';
import { ServiceProcess, serviceEnvironment, testEnvironment, type ServiceName } from '@activity/testing';
import type { Player } from './webhook-load';

export interface ReliabilityStackOptions {
  /** Names the tenant (and nothing else: every run gets its own). */
  readonly scenario: string;
  /** Services listen on portBase (feed-api), +1 (gateway), +2 (relay), +3… (workers). */
  readonly portBase: number;
  readonly players?: number;
  /** Partitions of webhook.received: the players are chosen so that every partition gets its share. */
  readonly partitions?: number;
  readonly workers?: number;
  /** Where the fault goes: a test's own broker, database or Redis instead of the shared ones. */
  readonly kafkaBrokers?: string;
  readonly topicPrefix?: string;
  readonly databaseUrl?: string;
  readonly adminDatabaseUrl?: string;
  readonly redisUrl?: string;
  readonly env?: Record<string, string>;
  /** Start the outbox relay later (to build a backlog first). */
  readonly withoutRelay?: boolean;
}

/**
 * The four real services for one fault scenario, on their own tenant: a Minecraft webhook source,
 * `players` linked players (one user each, so their webhooks spread over keys and partitions),
 * one or more connector-workers. A service can be SIGKILLed and started again on its port.
 */
export class ReliabilityStack {
  readonly services = new Map<string, ServiceProcess>();
  readonly secret = 'whsec_cmVsaWFiaWxpdHktc2lnbmluZy1zZWNyZXQtMDE=';
  private readonly keyDir = `.local/test-keys-${process.pid}`;
  readonly env: Record<string, string>;

  private constructor(
    readonly options: ReliabilityStackOptions,
    readonly tenant: string,
    readonly players: readonly Player[],
  ) {
    const environment = testEnvironment();
    this.env = {
      ...serviceEnvironment(environment),
      ...(options.kafkaBrokers ? { KAFKA_BROKERS: options.kafkaBrokers } : {}),
      ...(options.topicPrefix ? { KAFKA_TOPIC_PREFIX: options.topicPrefix } : {}),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      JWT_DEV_KEY_DIR: this.keyDir,
      SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      SECRETS_ENCRYPTION_KEY_ID: 'reliability',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
  }

  static async start(options: ReliabilityStackOptions): Promise<ReliabilityStack> {
    const tenant = `rel-${options.scenario}-${Date.now().toString(36)}`;
    const stack = new ReliabilityStack(options, tenant, spreadPlayers(tenant, options.players ?? 12, options.partitions ?? 3));
    await stack.seed();
    mkdirSync('.local', { recursive: true });
    try {
      await Promise.all([stack.startService('feed-api'), stack.startService('ingest-gateway')]);
      await Promise.all([
        ...Array.from({ length: options.workers ?? 1 }, (_, index) => stack.startService('connector-workers', index)),
        ...(options.withoutRelay ? [] : [stack.startService('outbox-relay')]),
      ]);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get adminDatabaseUrl(): string {
    return this.options.adminDatabaseUrl ?? testEnvironment().adminDatabaseUrl;
  }

  get sourceId(): string {
    return `src-${this.tenant}`;
  }

  private async seed(): Promise<void> {
    const dataSource = await createDataSource({ url: this.adminDatabaseUrl, applicationName: 'reliability-seed' }).initialize();
    try {
      const seed = new SeedData(dataSource, { keyId: 'reliability', key: this.env['SECRETS_ENCRYPTION_KEY']! });
      await seed.webhookSource({ tenantId: this.tenant, connector: 'minecraft', sourceId: this.sourceId, name: 'Reliability' }, this.secret);
      for (const player of this.players) await seed.accountLink({ tenantId: this.tenant, userId: player.userId, provider: 'minecraft', externalId: player.uuid });
    } finally {
      await dataSource.destroy();
    }
  }

  private portOf(name: ServiceName, index = 0): number {
    const base = this.options.portBase;
    return name === 'feed-api' ? base : name === 'ingest-gateway' ? base + 1 : name === 'outbox-relay' ? base + 2 : base + 3 + index;
  }

  private keyOf(name: ServiceName, index = 0): string {
    return name === 'connector-workers' ? `${name}#${index}` : name;
  }

  /** Starts (or starts again) a service on its port and waits until it is ready. */
  async startService(name: ServiceName, index = 0): Promise<ServiceProcess> {
    const service = await ServiceProcess.start(name, this.portOf(name, index), this.env);
    this.services.set(this.keyOf(name, index), service);
    return service;
  }

  service(name: ServiceName, index = 0): ServiceProcess {
    const service = this.services.get(this.keyOf(name, index));
    if (!service) throw new Error(`${this.keyOf(name, index)} is not running`);
    return service;
  }

  urlOf(name: ServiceName, index = 0): string {
    return `http://127.0.0.1:${this.portOf(name, index)}`;
  }

  /** A crash: SIGKILL, no orderly shutdown; the service stays down until started again. */
  kill(name: ServiceName, index = 0): ServiceProcess {
    const service = this.service(name, index);
    service.kill();
    this.services.delete(this.keyOf(name, index));
    return service;
  }

  /** An orderly stop (SIGTERM): the consumer leaves its group and commits. */
  async stopService(name: ServiceName, index = 0): Promise<void> {
    const service = this.service(name, index);
    this.services.delete(this.keyOf(name, index));
    await service.stop();
  }

  tokenFor(userId: string): Promise<string> {
    return loadOrCreateDevKeyPair(this.keyDir).then((keys) => issueDevToken(keys, { tenantId: this.tenant, userId, issuer: 'activity-dev', audience: 'activity-service' }));
  }

  /** The last lines of every running service, for a failure message. */
  logs(): string {
    return [...this.services.entries()].map(([name, service]) => `--- ${name} ---\n${service.logs().slice(-4_000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    this.services.clear();
  }
}

/**
 * `count` players whose webhook keys land on the partitions in turn (player i on partition
 * i % partitions, by the publisher's own partitioner), so a fault on any partition's consumer hits
 * traffic in every run rather than by luck of the hash.
 */
function spreadPlayers(tenant: string, count: number, partitions: number): Player[] {
  const partitionOf = partitionerFor();
  const players: Player[] = [];
  for (let candidate = 0; players.length < count; candidate += 1) {
    const uuid = `5e1ab1e0-0000-4000-8000-${String(candidate).padStart(12, '0')}`;
    // The gateway's key for a Minecraft delivery (webhook-intake.service).
    const key = MessageKey.webhook(tenant, `minecraft/src-${tenant}`, uuid);
    if (partitionOf('webhook.received', partitions, key) === players.length % partitions) {
      players.push({ uuid, userId: `player-${players.length}` });
    }
  }
  return players;
}
