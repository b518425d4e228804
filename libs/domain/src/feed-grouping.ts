import { createHash } from 'node:crypto';
import type { ActivityEvent } from './activity-event';
import { DomainError } from './domain-error';

/** What a grouping rule may group by: who, what, where, or a top-level payload field. */
export type GroupingField = 'actor' | 'object' | 'target' | `payload.${string}`;

/**
 * How events of one type are grouped in aggregated feeds: those with the same values of `fields`
 * within the same window of `windowSeconds` (aligned to the Unix epoch, so a day is a UTC day)
 * form one group ("alice unlocked 5 achievements in Team Fortress 2").
 */
export interface GroupingRule {
  readonly fields: readonly GroupingField[];
  readonly windowSeconds: number;
}

/** Every type without a rule of its own: per actor and target (game, server), per UTC day. */
export const DEFAULT_GROUPING_RULE: GroupingRule = { fields: ['actor', 'target'], windowSeconds: 86_400 };

const FIELD = /^(actor|object|target|payload\.[A-Za-z0-9_]{1,64})$/;

/** Validates a tenant's rule (`validation_failed` names the field). */
export function assertGroupingRule(rule: { fields?: unknown; windowSeconds?: unknown }): GroupingRule {
  const fields = rule.fields;
  if (!Array.isArray(fields) || fields.length > 4 || !fields.every((field) => typeof field === 'string' && FIELD.test(field)) || new Set(fields).size !== fields.length) {
    throw new DomainError('validation_failed', {}, [
      {
        field: 'fields',
        rule: 'groupingFields',
        message: 'fields are up to 4 distinct names among actor, object, target and payload.<name>',
        messageKey: 'validation.groupingFields',
      },
    ]);
  }
  const windowSeconds = rule.windowSeconds;
  if (typeof windowSeconds !== 'number' || !Number.isInteger(windowSeconds) || windowSeconds < 60 || windowSeconds > 2_592_000) {
    throw new DomainError('validation_failed', {}, [
      {
        field: 'windowSeconds',
        rule: 'groupingWindow',
        message: 'windowSeconds is a whole number from 60 (a minute) to 2592000 (30 days)',
        messageKey: 'validation.groupingWindow',
      },
    ]);
  }
  return { fields: fields as GroupingField[], windowSeconds };
}

function valueOf(event: Pick<ActivityEvent, 'actor' | 'object' | 'target' | 'payload'>, field: GroupingField): string {
  if (field === 'actor') return event.actor.id;
  if (field === 'object') return event.object?.id ?? '';
  if (field === 'target') return event.target?.id ?? '';
  const value = event.payload[field.slice('payload.'.length)];
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The group an event belongs to: `<type>~<window number>~<16 hex of the values' SHA-256>`, URL-safe
 * and of bounded length. The migration that introduced groups computed the same keys in SQL for
 * the default rule (values joined with a newline), so older events group with newer ones.
 */
export function groupKeyOf(event: Pick<ActivityEvent, 'type' | 'actor' | 'object' | 'target' | 'payload' | 'occurredAt'>, rule: GroupingRule): string {
  const values = rule.fields.map((field) => valueOf(event, field)).join('\n');
  const window = Math.floor(event.occurredAt.getTime() / 1000 / rule.windowSeconds);
  return `${event.type}~${window}~${createHash('sha256').update(values, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The type a group key is of. */
export function typeOfGroupKey(key: string): string | null {
  const match = /^([a-z0-9_.]+)~-?\d+~[0-9a-f]{16}$/.exec(key);
  return match ? match[1]! : null;
}

/** A tenant's rules over the connectors' defaults over DEFAULT_GROUPING_RULE. */
export class GroupingRules {
  constructor(
    private readonly defaults: ReadonlyMap<string, GroupingRule>,
    private readonly overrides: ReadonlyMap<string, GroupingRule> = new Map(),
  ) {}

  ruleFor(type: string): GroupingRule {
    return this.overrides.get(type) ?? this.defaults.get(type) ?? DEFAULT_GROUPING_RULE;
  }

  withOverrides(overrides: ReadonlyMap<string, GroupingRule>): GroupingRules {
    return new GroupingRules(this.defaults, overrides);
  }
}
