import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { compositeKey, DomainError } from '@activity/domain';
import { CircuitBreaker } from '@activity/resilience';
import { metricsRegistry } from '@activity/observability';
import { signInternalRequest } from '../internal/internal-request-signature';
import type { PermissionChecker, PermissionQuery } from './permission-checker';

export interface HttpAccessOptions {
  /** Base URL of the Access service; we call POST {url}/v1/permissions/check. */
  readonly url: string;
  readonly key: { readonly id: string; readonly secret: string };
  readonly timeoutMs: number;
  readonly allowTtlSeconds: number;
  readonly denyTtlSeconds: number;
  readonly breaker: { readonly failureThreshold: number; readonly openMs: number };
}

const decisions = new Counter({
  name: 'access_decisions_total',
  help: 'Permission decisions by source (cache, access) and result (allow, deny, error)',
  labelNames: ['source', 'result'] as const,
  registers: [metricsRegistry],
});

/** Where decisions are remembered: Redis (shared by instances) or a per-process map. */
export interface DecisionCache {
  get(key: string): Promise<boolean | undefined>;
  set(key: string, allowed: boolean, ttlSeconds: number): Promise<void>;
}

export class RedisDecisionCache implements DecisionCache {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<boolean | undefined> {
    const value = await this.redis.get(`access:${key}`);
    return value === null ? undefined : value === '1';
  }

  async set(key: string, allowed: boolean, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.redis.set(`access:${key}`, allowed ? '1' : '0', 'EX', ttlSeconds);
  }
}

export class MemoryDecisionCache implements DecisionCache {
  private readonly entries = new Map<string, { allowed: boolean; until: number }>();

  async get(key: string): Promise<boolean | undefined> {
    const entry = this.entries.get(key);
    if (!entry || entry.until < Date.now()) return undefined;
    return entry.allowed;
  }

  async set(key: string, allowed: boolean, ttlSeconds: number): Promise<void> {
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(key, { allowed, until: Date.now() + ttlSeconds * 1000 });
  }
}

/**
 * ACCESS_MODE=http: asks the platform's Access service, HMAC-signed. Decisions are cached
 * (positive and negative TTLs, or the `ttl` the service returns), identical concurrent checks share
 * one call, and every failure - down, slow, circuit open, unexpected answer - fails closed with 503.
 */
export class HttpAccessChecker implements PermissionChecker {
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly options: HttpAccessOptions,
    private readonly cache: DecisionCache,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker({
      ...options.breaker,
      dependency: 'The Access service',
      onStateChange: (state) => logger.warn({ state }, 'Access service circuit changed state'),
    });
  }

  async check(query: PermissionQuery): Promise<boolean> {
    const key = compositeKey(query.tenantId, query.subject, query.permission, query.resource ?? '');
    const cached = await this.cache.get(key).catch(() => undefined);
    if (cached !== undefined) {
      decisions.inc({ source: 'cache', result: cached ? 'allow' : 'deny' });
      return cached;
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.ask(query, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async ask(query: PermissionQuery, key: string): Promise<boolean> {
    try {
      const { allowed, ttl } = await this.breaker.run(() => this.call(query));
      decisions.inc({ source: 'access', result: allowed ? 'allow' : 'deny' });
      const ttlSeconds = ttl ?? (allowed ? this.options.allowTtlSeconds : this.options.denyTtlSeconds);
      await this.cache.set(key, allowed, ttlSeconds).catch(() => undefined);
      return allowed;
    } catch (error) {
      decisions.inc({ source: 'access', result: 'error' });
      if (error instanceof DomainError) throw error;
      this.logger.warn({ err: (error as Error).message }, 'Access service check failed; denying (fail closed)');
      throw new DomainError('dependency_unavailable', { dependency: 'The Access service', retryAfterSeconds: 1 }, undefined, { cause: error });
    }
  }

  private async call(query: PermissionQuery): Promise<{ allowed: boolean; ttl?: number }> {
    const path = '/v1/permissions/check';
    const body = JSON.stringify({ tenantId: query.tenantId, subject: query.subject, permission: query.permission, ...(query.resource ? { resource: query.resource } : {}) });
    const response = await fetch(new URL(path, this.options.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signInternalRequest(this.options.key, { method: 'POST', pathWithQuery: path, body }) },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`Access service answered ${response.status}`);
    const decision = (await response.json()) as { allowed?: unknown; ttl?: unknown };
    if (typeof decision.allowed !== 'boolean') throw new Error('Access service answered without a boolean "allowed"');
    const ttl = typeof decision.ttl === 'number' && decision.ttl >= 0 && decision.ttl <= 3600 ? decision.ttl : undefined;
    return ttl === undefined ? { allowed: decision.allowed } : { allowed: decision.allowed, ttl };
  }
}
