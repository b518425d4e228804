import { timingSafeEqual } from 'node:crypto';

/** Compares two byte strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Lowercase hex of a digest from a header such as `sha256=ab12…`; null when it is not one. */
export function hexDigestOf(header: string | undefined, prefix: string, hexLength: number): Buffer | null {
  if (!header?.startsWith(prefix)) return null;
  const hex = header.slice(prefix.length).trim().toLowerCase();
  return new RegExp(`^[0-9a-f]{${hexLength}}$`).test(hex) ? Buffer.from(hex, 'hex') : null;
}
