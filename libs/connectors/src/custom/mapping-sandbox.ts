import { Worker } from 'node:worker_threads';
import type { MappingRule } from './mapping-rule';

export interface MappingLimits {
  /** JSONata's own evaluation timeout per expression; the thread is killed at this plus a margin. */
  readonly timeoutMs: number;
  /** The evaluated outputs of a rule, as JSON, may not exceed this. */
  readonly maxOutputBytes: number;
}

/** What the delivery's rules made of it. */
export type MappingOutcome =
  | { readonly kind: 'matched'; readonly rule: string; readonly outputs: Readonly<Record<string, unknown>> }
  | { readonly kind: 'unmatched' }
  | { readonly kind: 'failed'; readonly rule: string; readonly field: string; readonly code: string; readonly message: string; readonly position?: number };

interface Job {
  readonly id: number;
  readonly message: { id: number; rules: readonly MappingRule[]; input: unknown; limits: MappingLimits };
  resolve(outcome: MappingOutcome): void;
}

/** How much longer than JSONata's own timeout a thread may run before it is killed (it is then stuck in one synchronous step, e.g. a regex). */
const KILL_MARGIN_MS = 150;
/** A new thread that has not loaded JSONata by then is replaced (its start-up is not charged to a delivery's deadline). */
const START_TIMEOUT_MS = 15_000;

// The thread's code. JSONata's guardrails stop loops and deep recursion (timeout, stack,
// sequence length); what they cannot stop (a catastrophic regex in one synchronous call) the
// parent stops by terminating the thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jsonata = require(workerData.jsonataPath);
const compiled = new Map();
parentPort.postMessage('ready');
function expression(text, timeout) {
  const key = timeout + '\\u0000' + text;
  let found = compiled.get(key);
  if (!found) {
    found = jsonata(text, { timeout, stack: 300, sequence: 100000 });
    if (compiled.size > 2000) compiled.clear();
    compiled.set(key, found);
  }
  return found;
}
const FIELDS = ['type', 'actor', 'object', 'target', 'occurredAt', 'eventId', 'payload', 'summary.en', 'summary.ru'];
function source(rule, field) {
  if (field === 'summary.en') return rule.summary && rule.summary.en;
  if (field === 'summary.ru') return rule.summary && rule.summary.ru;
  return rule[field];
}
function failure(rule, field, error) {
  return { kind: 'failed', rule: rule.name, field, code: String((error && error.code) || 'D0000'), message: String((error && error.message) || error), position: error && typeof error.position === 'number' ? error.position : undefined };
}
parentPort.on('message', async ({ id, rules, input, limits }) => {
  let outcome = { kind: 'unmatched' };
  for (const rule of rules) {
    let field = 'when';
    try {
      if (rule.when !== undefined) {
        const picked = await expression(rule.when, limits.timeoutMs).evaluate(input);
        if (!picked) continue;
      }
      const outputs = {};
      for (field of FIELDS) {
        const text = source(rule, field);
        if (text === undefined) continue;
        const value = await expression(text, limits.timeoutMs).evaluate(input);
        if (value !== undefined) outputs[field] = value;
      }
      field = 'outputs';
      const json = JSON.stringify(outputs);
      if (Buffer.byteLength(json) > limits.maxOutputBytes) {
        outcome = { kind: 'failed', rule: rule.name, field, code: 'output_too_large', message: 'the rule produced ' + Buffer.byteLength(json) + ' bytes; the limit is ' + limits.maxOutputBytes };
      } else outcome = { kind: 'matched', rule: rule.name, outputs: JSON.parse(json) };
    } catch (error) {
      outcome = failure(rule, field, error);
    }
    break;
  }
  parentPort.postMessage({ id, outcome });
});
`;

/**
 * Evaluates tenants' mapping rules off the event loop: in a worker thread with a small heap, one
 * delivery at a time, each with a deadline. A rule that runs too long, or a thread that runs out
 * of memory, fails that delivery only (`timeout` / `resources`); the thread is replaced and the
 * next delivery is evaluated as usual.
 */
export class MappingSandbox {
  private worker: { thread: Worker; ready: Promise<void> } | null = null;
  private readonly queue: Job[] = [];
  private current: { job: Job; timer?: NodeJS.Timeout } | null = null;
  private sequence = 0;
  /** Threads replaced after a deadline or a crash (for metrics and tests). */
  restarts = 0;

  constructor(private readonly limits: MappingLimits) {}

  evaluate(rules: readonly MappingRule[], input: unknown): Promise<MappingOutcome> {
    if (rules.length === 0) return Promise.resolve({ kind: 'unmatched' });
    return new Promise((resolve) => {
      const id = ++this.sequence;
      this.queue.push({ id, message: { id, rules, input, limits: this.limits }, resolve });
      this.next();
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.thread.terminate();
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.current = { job };
    const worker = this.thread();
    // The deadline starts once the thread is up: a cold start is not the rules' fault.
    void worker.ready.then(
      () => {
        if (this.current?.job !== job) return;
        this.current.timer = setTimeout(
          () => this.abandon(job, { code: 'timeout', message: `the rules ran longer than ${this.limits.timeoutMs} ms` }),
          this.limits.timeoutMs + KILL_MARGIN_MS,
        );
        worker.thread.postMessage(job.message);
      },
      (error: Error) => this.abandon(job, { code: 'resources', message: error.message }),
    );
  }

  private thread(): { thread: Worker; ready: Promise<void> } {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { jsonataPath: require.resolve('jsonata') },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox thread did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      timer.unref();
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    ready.catch(() => undefined);
    worker.on('message', (reply: { id: number; outcome: MappingOutcome } | 'ready') => {
      if (reply === 'ready' || this.current?.job.id !== reply.id) return;
      clearTimeout(this.current.timer);
      const { job } = this.current;
      this.current = null;
      job.resolve(reply.outcome);
      this.next();
    });
    worker.on('error', (error) => {
      if (this.current?.timer) this.abandon(this.current.job, { code: 'resources', message: `the rules' evaluation failed: ${error.message}` });
    });
    worker.on('exit', () => {
      if (this.worker?.thread === worker) this.worker = null;
    });
    this.worker = { thread: worker, ready };
    return this.worker;
  }

  /** The thread is stuck or gone: fail the delivery it held, replace the thread, go on. */
  private abandon(job: Job, reason: { code: string; message: string }): void {
    if (this.current?.job !== job) return;
    clearTimeout(this.current.timer);
    this.current = null;
    const stuck = this.worker;
    this.worker = null;
    this.restarts += 1;
    if (stuck) void stuck.thread.terminate();
    job.resolve({ kind: 'failed', rule: job.message.rules.map((rule) => rule.name).join(','), field: 'rules', ...reason });
    this.next();
  }
}
