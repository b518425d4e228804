import type { FieldViolation } from './domain-error';

/**
 * The rules PostgreSQL applies to what we store (text and jsonb), checked where input enters,
 * so that a delivery we acknowledge can always be written. One definition, used by the webhook
 * intake, the worker that stores deliveries, and internal event intake.
 *
 * - no U+0000 anywhere: `text` cannot hold it and `jsonb` refuses `\u0000`;
 * - no lone UTF-16 surrogates: they are not Unicode scalar values, so they have no UTF-8 form;
 * - bounded nesting: deep documents cost stack in every parser and validator on the way;
 * - bounded string length, so a single field cannot dominate a row.
 */
export const STORABLE_LIMITS = {
  maxDepth: 32,
  maxStringLength: 10_000,
  maxKeys: 1_000,
} as const;

// Any surrogate not paired correctly, or NUL.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string can be stored as PostgreSQL text / inside jsonb. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * Violations that would make `value` unstorable, at most `max` of them (paths like `data.title`).
 * Iterative, so a hostile depth cannot overflow our own stack while we check it.
 */
export function storableViolations(value: unknown, root = '', max = 10): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  let keys = 0;
  while (stack.length && violations.length < max) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) violations.push({ field: path, rule: 'storableText', message: 'must not contain NUL characters or unpaired surrogates' });
      else if (current.length > STORABLE_LIMITS.maxStringLength)
        violations.push({
          field: path,
          rule: 'maxLength',
          message: `must be at most ${STORABLE_LIMITS.maxStringLength} characters`,
          params: { constraint1: STORABLE_LIMITS.maxStringLength },
        });
      continue;
    }
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) violations.push({ field: path, rule: 'finite', message: 'must be a finite number' });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= STORABLE_LIMITS.maxDepth) {
      violations.push({ field: path, rule: 'maxDepth', message: `nests deeper than ${STORABLE_LIMITS.maxDepth} levels`, params: { constraint1: STORABLE_LIMITS.maxDepth } });
      continue;
    }
    const entries = Array.isArray(current) ? current.map((item, index) => [String(index), item] as const) : Object.entries(current);
    keys += entries.length;
    if (keys > STORABLE_LIMITS.maxKeys) {
      violations.push({ field: path, rule: 'maxKeys', message: `holds more than ${STORABLE_LIMITS.maxKeys} values`, params: { constraint1: STORABLE_LIMITS.maxKeys } });
      break;
    }
    for (const [key, item] of entries) {
      const child = path ? `${path}.${key}` : key;
      if (!Array.isArray(current) && !isStorableText(key)) {
        violations.push({ field: child, rule: 'storableText', message: 'key must not contain NUL characters or unpaired surrogates' });
        continue;
      }
      stack.push({ value: item, path: child, depth: depth + 1 });
    }
  }
  return violations;
}

/** Nesting depth of a JSON text, measured without parsing it (so without recursion). */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
      continue;
    }
    if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}
