/**
 * A body's shape without its values, to show a source's admin what arrived unmatched without
 * keeping what it said: scalars become their type names, arrays their first element's shape,
 * bounded in depth and keys.
 */
export function shapeOf(value: unknown, depth = 0): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : depth >= 4 ? ['…'] : [shapeOf(value[0], depth + 1)];
  if (typeof value === 'object') {
    if (depth >= 4) return '{…}';
    const entries = Object.entries(value as Record<string, unknown>);
    const shape: Record<string, unknown> = {};
    for (const [key, inner] of entries.slice(0, 30)) shape[key.slice(0, 64)] = shapeOf(inner, depth + 1);
    if (entries.length > 30) shape['…'] = `${entries.length - 30} more keys`;
    return shape;
  }
  return typeof value;
}
