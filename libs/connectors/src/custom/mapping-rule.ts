import jsonata from 'jsonata';
import type { FieldViolation } from '@activity/domain';

/**
 * One mapping rule of a custom webhook source, every value a JSONata expression over
 * `{ body, headers, deliveryId, receivedAt }`. The first rule whose `when` is true maps the
 * delivery to one activity event of type `custom.<source>.<type>`.
 */
export interface MappingRule {
  /** Unique within the source; names the rule in errors and dry runs. */
  readonly name: string;
  /** Picks the rule; absent means always. */
  readonly when?: string;
  /** The event type's last part, e.g. `"repo.pushed"` (lowercase letters, digits, `_`, dots). */
  readonly type: string;
  /** `{ "id": …, "name": … }` or a string id. */
  readonly actor: string;
  readonly object?: string;
  readonly target?: string;
  /** An RFC 3339 date-time or epoch milliseconds; absent: when we received the delivery. */
  readonly occurredAt?: string;
  /** The sender's id for the event: deliveries mapping to the same id are one event. Absent: the delivery id. */
  readonly eventId?: string;
  /** The feed summary; `en` is required, `ru` falls back to it. */
  readonly summary: { readonly en: string; readonly ru?: string };
  /** Extra fields kept with the event (an object). */
  readonly payload?: string;
}

export const MAX_RULES = 20;
export const MAX_EXPRESSION_LENGTH = 2_000;
const RULE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** The fields of a rule that hold expressions, in the order they are evaluated. */
export const EXPRESSION_FIELDS = ['when', 'type', 'actor', 'object', 'target', 'occurredAt', 'eventId', 'payload', 'summary.en', 'summary.ru'] as const;
export type ExpressionField = (typeof EXPRESSION_FIELDS)[number];
const REQUIRED: readonly ExpressionField[] = ['type', 'actor', 'summary.en'];

export function expressionOf(rule: MappingRule, field: ExpressionField): string | undefined {
  if (field === 'summary.en') return rule.summary?.en;
  if (field === 'summary.ru') return rule.summary?.ru;
  return rule[field];
}

/**
 * Everything wrong with a rule set before it is saved: its shape, unique names, required
 * outputs, and every expression compiled by JSONata (syntax errors with their position).
 * Returns no violations when the rules can be stored.
 */
export function mappingRuleViolations(rules: unknown): FieldViolation[] {
  if (!Array.isArray(rules)) return [violation('rules', 'ruleList', 'rules must be a list of mapping rules', 'ruleList')];
  if (rules.length > MAX_RULES) return [violation('rules', 'ruleCount', `at most ${MAX_RULES} rules per source`, 'ruleCount', { limit: MAX_RULES })];
  const violations: FieldViolation[] = [];
  const names = new Set<string>();
  rules.forEach((candidate: unknown, index) => {
    const at = `rules[${index}]`;
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      violations.push(violation(at, 'ruleShape', 'a rule is an object of expressions', 'ruleShape'));
      return;
    }
    const rule = candidate as Record<string, unknown>;
    const known = new Set(['name', 'when', 'type', 'actor', 'object', 'target', 'occurredAt', 'eventId', 'summary', 'payload']);
    for (const key of Object.keys(rule)) if (!known.has(key)) violations.push(violation(`${at}.${key}`, 'ruleField', `"${key}" is not a rule field`, 'ruleField', { key }));
    if (typeof rule['name'] !== 'string' || !RULE_NAME.test(rule['name'])) {
      violations.push(violation(`${at}.name`, 'ruleName', 'name: 1 to 40 lowercase letters, digits, "_" or "-", starting with a letter', 'ruleName'));
    } else if (names.has(rule['name'])) {
      violations.push(violation(`${at}.name`, 'ruleNameTaken', `two rules are named "${rule['name']}"`, 'ruleNameTaken', { name: rule['name'] }));
    } else names.add(rule['name']);
    const summary = rule['summary'];
    if (summary !== undefined && (typeof summary !== 'object' || summary === null || Array.isArray(summary))) {
      violations.push(violation(`${at}.summary`, 'ruleShape', 'summary is an object: { "en": …, "ru": … }', 'summaryShape'));
      return;
    }
    for (const field of EXPRESSION_FIELDS) {
      const path = `${at}.${field}`;
      const expression = field.startsWith('summary.') ? (summary as Record<string, unknown> | undefined)?.[field.slice(8)] : rule[field];
      if (expression === undefined) {
        if (REQUIRED.includes(field)) violations.push(violation(path, 'required', `${field} is required`, 'required', { field }));
        continue;
      }
      if (typeof expression !== 'string' || expression.trim() === '') {
        violations.push(violation(path, 'expression', `${field} must be a JSONata expression (a non-empty string)`, 'notExpression', { field }));
        continue;
      }
      if (expression.length > MAX_EXPRESSION_LENGTH) {
        violations.push(violation(path, 'expressionLength', `at most ${MAX_EXPRESSION_LENGTH} characters`, 'expressionLength', { limit: MAX_EXPRESSION_LENGTH }));
        continue;
      }
      const failure = compileFailure(expression);
      if (failure)
        violations.push(violation(path, 'jsonata', `${failure.message} (at character ${failure.position})`, 'syntax', { position: failure.position, detail: failure.message }));
    }
  });
  return violations;
}

/** JSONata's own syntax error for an expression, or null when it compiles. */
export function compileFailure(expression: string): { message: string; position: number; code: string } | null {
  try {
    jsonata(expression);
    return null;
  } catch (error) {
    const failure = error as { message?: string; position?: number; code?: string };
    return { message: failure.message ?? String(error), position: failure.position ?? 0, code: failure.code ?? 'S0000' };
  }
}

function violation(field: string, rule: string, message: string, key: string, params: Record<string, string | number> = {}): FieldViolation {
  return { field, rule, message, messageKey: `validation.custom.${key}`, params };
}
