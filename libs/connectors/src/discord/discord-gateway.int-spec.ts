import pino from 'pino';
import type { GatewaySink, NormalizedEvent } from '@activity/connector-sdk';
import { LocalSharedState, LocalTokenBucket } from '@activity/resilience';
import { FakeDiscordServer, waitFor } from '@activity/testing';
import { DiscordGateway } from './discord-gateway';
import { DiscordRateLimits } from './discord-rate-limits';
import { DiscordRestClient } from './discord-rest-client';

const USER = '80351110224678912';

/** What a shard hands the platform: the events, and the state the next owner would resume from. */
class RecordingSink implements GatewaySink {
  readonly events: NormalizedEvent[] = [];
  state: Record<string, unknown> = {};
  async emit(): Promise<void> {
    throw new Error('the Discord gateway emits to linked accounts only');
  }
  async emitToLinked(provider: string, events: NormalizedEvent[]): Promise<void> {
    expect(provider).toBe('discord');
    this.events.push(...events);
  }
  async saveState(state: Record<string, unknown>): Promise<void> {
    this.state = state;
  }
  types(): string[] {
    return this.events.map((event) => `${event.type}:${event.payload['game']}`);
  }
}

describe('DiscordGateway against the fake Discord Gateway (real WebSocket)', () => {
  let fake: FakeDiscordServer;
  const running: Array<{ controller: AbortController; done: Promise<void> }> = [];

  function gateway(options: { shardCount?: number; url?: string } = {}) {
    const limits = new DiscordRateLimits(new LocalSharedState(), new LocalTokenBucket(50, 50), new LocalTokenBucket(50, 50), { maxWaitMs: 5_000, invalidRequestBrake: 100 });
    const rest = new DiscordRestClient({ baseUrl: fake.apiBaseUrl, timeoutMs: 2_000, maxAttempts: 3 }, limits, pino({ level: 'silent' }));
    return new DiscordGateway(
      { botToken: fake.botToken, debounceMs: 50, flushIntervalMs: 20, backoffBaseMs: 20, backoffMaxMs: 200, invalidSessionWaitMs: [10, 30], ...options },
      rest,
      pino({ level: 'silent' }),
    );
  }

  function run(shard: { id: number; count: number }, sink: RecordingSink, state: Record<string, unknown> = {}, options: { url?: string } = {}) {
    const controller = new AbortController();
    const done = gateway(options).run(shard, state, sink, controller.signal);
    running.push({ controller, done: done.catch(() => undefined) });
    return { controller, done };
  }

  beforeEach(async () => {
    fake = await FakeDiscordServer.start();
    fake.heartbeatIntervalMs = 200;
  });
  afterEach(async () => {
    for (const { controller } of running.splice(0)) controller.abort();
    await fake.stop();
  });

  it('discovers the Gateway and shard count through GET /gateway/bot, and identifies each shard with GUILDS + GUILD_PRESENCES', async () => {
    fake.shards = 2;
    expect(await gateway().shardCount()).toBe(2);
    expect(fake.requests.filter((request) => request.path === '/api/v10/gateway/bot').map((request) => request.authorization)).toEqual([`Bot ${fake.botToken}`]);
    const sink = new RecordingSink();
    run({ id: 1, count: 2 }, sink);
    await waitFor('shard 1 identified', () => fake.identifies.length === 1);
    expect(fake.identifies[0]).toEqual({ shard: [1, 2], intents: 257, token: fake.botToken });
    await waitFor('heartbeats acknowledged and the session saved', () => fake.heartbeats >= 2 && typeof sink.state['sessionId'] === 'string');
  });

  it('turns a linked player’s Playing presence into game started and ended events, and resumes after a dropped connection without losing what was sent meanwhile', async () => {
    const sink = new RecordingSink();
    run({ id: 0, count: 1 }, sink);
    await waitFor('ready', () => typeof sink.state['sessionId'] === 'string');
    const sessionId = sink.state['sessionId'];
    fake.sendPresence({ userId: USER, game: 'Rocket League', applicationId: '379286085710381999', startedAt: Date.now() - 1_000 });
    await waitFor('game started', () => sink.types().includes('discord.game.started:Rocket League'));

    fake.dropConnections();
    // While we are away, the game ends; the RESUME replays it.
    await waitFor('connection seen as dropped', () => fake.connectedSessions === 0);
    fake.sendPresence({ userId: USER, game: null });
    await waitFor('resumed', () => fake.resumes.length === 1 && fake.connectedSessions === 1);
    expect(fake.resumes[0]).toMatchObject({ sessionId, accepted: true });
    expect(fake.resumes[0]!.seq).toBeGreaterThanOrEqual(2);
    expect(fake.identifies).toHaveLength(1);
    await waitFor('game ended', () => sink.types().includes('discord.game.ended:Rocket League'));
    const ended = sink.events.find((event) => event.type === 'discord.game.ended')!;
    expect(ended.payload['durationSeconds']).toBeGreaterThanOrEqual(1);
  });

  it('identifies anew after INVALID_SESSION, and after a refused RESUME', async () => {
    const sink = new RecordingSink();
    run({ id: 0, count: 1 }, sink);
    await waitFor('ready', () => fake.identifies.length === 1 && typeof sink.state['sessionId'] === 'string');
    fake.invalidateSessions();
    await waitFor('identified again', () => fake.identifies.length === 2);

    await waitFor('the new session saved', () => fake.sessionIds.includes(String(sink.state['sessionId'])));
    fake.refuseResume = true;
    fake.dropConnections();
    await waitFor('resume refused, then a third identify', () => fake.resumes.some((resume) => !resume.accepted) && fake.identifies.length === 3);
    fake.sendPresence({ userId: USER, game: 'Minecraft' });
    await waitFor('the new session delivers presences', () => sink.types().includes('discord.game.started:Minecraft'));
  });

  it('treats a heartbeat without ACK as a dead connection: reconnects and resumes', async () => {
    const sink = new RecordingSink();
    run({ id: 0, count: 1 }, sink);
    await waitFor('ready', () => typeof sink.state['sessionId'] === 'string');
    fake.ackHeartbeats = false;
    await waitFor('a resume after missing ACKs', () => fake.resumes.length >= 1);
    fake.ackHeartbeats = true;
    expect(fake.resumes[0]).toMatchObject({ sessionId: sink.state['sessionId'], accepted: true });
    expect(fake.identifies).toHaveLength(1);
  });

  it('a new owner resumes the previous owner’s session from its saved state and still ends the game it had announced', async () => {
    const first = new RecordingSink();
    const owner = run({ id: 0, count: 1 }, first);
    await waitFor('ready', () => typeof first.state['sessionId'] === 'string');
    fake.sendPresence({ userId: USER, game: 'Rocket League' });
    await waitFor('started', () => first.types().includes('discord.game.started:Rocket League'));
    owner.controller.abort();
    await owner.done;
    expect(first.state['presence']).toMatchObject({ [USER]: { name: 'Rocket League' } });

    const second = new RecordingSink();
    run({ id: 0, count: 1 }, second, JSON.parse(JSON.stringify(first.state)));
    await waitFor('resumed by the new owner', () => fake.resumes.length === 1 && fake.resumes[0]!.accepted);
    fake.sendPresence({ userId: USER, game: null });
    await waitFor('ended by the new owner', () => second.types().includes('discord.game.ended:Rocket League'));
    expect(second.types()).not.toContain('discord.game.started:Rocket League');
  });

  it('stops for good when Discord refuses the token (close 4004) instead of reconnecting forever', async () => {
    const sink = new RecordingSink();
    const limits = new DiscordRateLimits(new LocalSharedState(), new LocalTokenBucket(50, 50), new LocalTokenBucket(50, 50), { maxWaitMs: 1_000, invalidRequestBrake: 100 });
    const wrong = new DiscordGateway(
      { botToken: 'not-the-bot-token-000000', url: fake.gatewayUrl, shardCount: 1, debounceMs: 50, backoffBaseMs: 10, backoffMaxMs: 50 },
      new DiscordRestClient({ baseUrl: fake.apiBaseUrl, timeoutMs: 1_000, maxAttempts: 1 }, limits, pino({ level: 'silent' })),
      pino({ level: 'silent' }),
    );
    await expect(wrong.run({ id: 0, count: 1 }, {}, sink, new AbortController().signal)).rejects.toThrow(/4004/);
  });
});
