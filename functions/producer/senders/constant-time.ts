import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two strings are the same, compared in constant time for equal lengths (a length
 * difference returns at once, as the senders' own libraries do: a signature's length is public).
 */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `given` equals any of `expected`; every candidate is compared, so the time taken does not say which one matched. */
export function matchesAny(given: readonly string[], expected: readonly string[]): boolean {
  let matched = false;
  for (const candidate of expected) {
    for (const value of given) {
      if (sameText(value, candidate)) matched = true;
    }
  }
  return matched;
}
