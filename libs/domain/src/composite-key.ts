/**
 * Joins key parts with `:` so that different parts can never produce the same key: each part
 * has its `%` and `:` escaped first. (Plain joining made tenant `demo` + user `sec:x` and tenant
 * `demo:sec` + user `x` share one cache entry and one rate-limit bucket.)
 */
export function compositeKey(...parts: ReadonlyArray<string | number>): string {
  return parts.map((part) => String(part).replace(/[%:]/g, (char) => (char === '%' ? '%25' : '%3A'))).join(':');
}
