import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { SyncMethod, SyncResult } from '@activity/connector-sdk';
import type { AccountLink, AccountLinkStore, OutboxMessage, OutboxStore, SyncRunStore } from '@activity/persistence';
import type { RecordActivity } from '../activity/record-activity';
import type { ConnectorRegistry } from '../connectors/connector-registry';
import { RunSync } from './run-sync';

/**
 * RunSync's decisions, with the stores replaced by recorders: the SQL behind each store method is
 * integration-tested against PostgreSQL (sync.int-spec); here, which of them a run calls, in which
 * transaction, for each way a sync can end.
 */
function harness(options: { link?: Partial<AccountLink> | null; revokeDuringSync?: boolean; busy?: boolean; sync?: SyncMethod['run'] } = {}) {
  const calls: string[] = [];
  let transactions = 0;
  const link: AccountLink | null =
    options.link === null
      ? null
      : ({
          id: '0b7c1e3a-5d7f-4c1e-9a2b-3c4d5e6f7a8b',
          tenantId: 't',
          userId: 'alice',
          provider: 'steam',
          externalId: '7656',
          status: 'active',
          syncState: { seen: 1 },
          ...options.link,
        } as AccountLink);
  const dataSource = {
    transaction: async (work: (manager: { query: () => Promise<void> }) => Promise<unknown>) => {
      transactions += 1;
      return work({ query: async () => undefined });
    },
  } as unknown as DataSource;
  let gets = 0;
  const links = {
    get: async () => {
      gets += 1;
      if (gets > 1 && options.revokeDuringSync) return { ...link!, status: 'revoked' };
      return link;
    },
    recordSync: async (_tx: unknown, _id: string, update: { status: string; state: unknown }) => void calls.push(`recordSync ${update.status} ${JSON.stringify(update.state)}`),
    recordFailure: async (_tx: unknown, _id: string, reason: string) => void calls.push(`recordFailure ${reason}`),
  } as unknown as AccountLinkStore;
  const runs = {
    start: async () => (options.busy ? null : '1c8d2f4b-6e80-4d2f-8b3c-4d5e6f7a8b9c'),
    finish: async (_tx: unknown, _id: string, result: { status: string; eventsCreated: number }) => void calls.push(`finish ${result.status} ${result.eventsCreated}`),
  } as unknown as SyncRunStore;
  const outbox = {
    enqueue: async (_tx: unknown, messages: readonly OutboxMessage[]) => void calls.push(...messages.map((m) => `announce ${m.topic} ${(m.payload as { status: string }).status}`)),
  } as unknown as OutboxStore;
  const activity = {
    record: async (_tx: unknown, events: readonly { userId?: string | null }[]) => {
      calls.push(`record ${events.length} for ${events.map((e) => e.userId).join(',')}`);
      return events.map((_, index) => ({ id: String(index + 1) }));
    },
  } as unknown as RecordActivity;
  const run =
    options.sync ??
    (async (): Promise<SyncResult> => ({
      events: [
        { source: 'steam', sourceEventId: 'e1', type: 'steam.game.played', externalAccountId: '7656', actor: { type: 'Person', id: 'p' }, occurredAt: new Date(), payload: {} },
      ],
      state: { seen: 2 },
      outcome: 'ok',
      apiCalls: 3,
    }));
  const connectors = { get: (name: string) => (name === 'steam' ? { runtime: { sync: { run } } } : undefined) } as unknown as ConnectorRegistry;
  const useCase = new RunSync(dataSource, connectors, links, activity, runs, outbox, pino({ level: 'silent' }));
  return { useCase, calls, transactions: () => transactions };
}

const request = { tenantId: 't', accountLinkId: '0b7c1e3a-5d7f-4c1e-9a2b-3c4d5e6f7a8b', trigger: 'schedule' } as const;

describe('RunSync', () => {
  it("records the events for the link's owner, its new state and a succeeded sync.completed, together", async () => {
    const { useCase, calls, transactions } = harness();
    await useCase.run(request as never);
    expect(calls).toEqual(['record 1 for alice', 'recordSync active {"seen":2}', 'finish succeeded 1', 'announce sync.completed succeeded']);
    expect(transactions()).toBe(2);
  });

  it('keeps a private profile as the link status, not as a failure', async () => {
    const { useCase, calls } = harness({ sync: async () => ({ events: [], state: { seen: 1 }, outcome: 'private', apiCalls: 1 }) });
    await useCase.run(request as never);
    expect(calls).toEqual(['record 0 for ', 'recordSync private {"seen":1}', 'finish succeeded 0', 'announce sync.completed succeeded']);
  });

  it('records a failure on the run and the link, and still announces it', async () => {
    const { useCase, calls } = harness({ sync: () => Promise.reject(new Error('Steam is down')) });
    await useCase.run(request as never);
    expect(calls).toEqual(['finish failed 0', 'recordFailure Steam is down', 'announce sync.completed failed']);
  });

  it('keeps nothing of a sync whose link was revoked while it ran', async () => {
    const { useCase, calls } = harness({ revokeDuringSync: true });
    await useCase.run(request as never);
    expect(calls).toEqual(['finish skipped 0', 'announce sync.completed skipped']);
  });

  it.each([
    ['an unknown link', { link: null }],
    ['a revoked link', { link: { status: 'revoked' as const } }],
    ['a connector that cannot sync', { link: { provider: 'minecraft' } }],
    ['a link whose previous sync is still running', { busy: true }],
  ])('skips %s without calling the platform', async (_what, options) => {
    let called = false;
    const { useCase, calls } = harness({ ...options, sync: async () => ((called = true), { events: [], state: {}, outcome: 'ok', apiCalls: 0 }) });
    await useCase.run(request as never);
    expect(called).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('RunSync.runMany', () => {
  const request = (accountLinkId: string, trigger: 'manual' | 'scheduled' = 'scheduled') => ({ tenantId: 't', accountLinkId, trigger });

  it("syncs different links at the same time and one link's requests in order", async () => {
    const sync = new RunSync(...(Array.from({ length: 8 }, () => ({})) as ConstructorParameters<typeof RunSync>));
    const log: string[] = [];
    const releases = new Map<string, () => void>();
    jest.spyOn(sync, 'run').mockImplementation(async ({ accountLinkId, trigger }) => {
      log.push(`start ${accountLinkId} ${trigger}`);
      await new Promise<void>((resolve) => releases.set(`${accountLinkId} ${trigger}`, resolve));
      log.push(`end ${accountLinkId} ${trigger}`);
    });
    const running = sync.runMany([request('a'), request('b'), request('a', 'manual')]);
    await new Promise((resolve) => setImmediate(resolve));
    // a and b both started; a's second request waits for its first.
    expect(log).toEqual(['start a scheduled', 'start b scheduled']);
    releases.get('a scheduled')!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a scheduled', 'start b scheduled', 'end a scheduled', 'start a manual']);
    releases.get('b scheduled')!();
    releases.get('a manual')!();
    await running;
  });

  it('lets every sync finish, then fails with the first failure', async () => {
    const sync = new RunSync(...(Array.from({ length: 8 }, () => ({})) as ConstructorParameters<typeof RunSync>));
    const finished: string[] = [];
    jest.spyOn(sync, 'run').mockImplementation(async ({ accountLinkId }) => {
      if (accountLinkId === 'bad') throw new Error('database went away');
      await new Promise((resolve) => setImmediate(resolve));
      finished.push(accountLinkId);
    });
    await expect(sync.runMany([request('bad'), request('good')])).rejects.toThrow('database went away');
    expect(finished).toEqual(['good']);
  });
});
