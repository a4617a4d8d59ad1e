export type JsonObjectResult = { ok: true; object: Record<string, unknown> } | { ok: false; reason: string };

/** The body as a JSON object, or why it is not one (a 400: no retry changes the signed body). */
export function jsonObject(text: string): JsonObjectResult {
  let parsed: unknown;
  try {
    // Iterative in V8: any nesting depth parses.
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'body must be a JSON object' };
  return { ok: true, object: parsed as Record<string, unknown> };
}

export const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** How much of a body is searched for a claimed id: a rejected body is never parsed. */
const SEARCH_BYTES = 1024;

/** The value of a top-level-looking `"<field>":"<id>"` in the first KiB, with a bounded pattern. */
export function claimedBodyField(rawBody: Buffer, field: string): string | undefined {
  const pattern = new RegExp(`"${field}"\\s*:\\s*"([A-Za-z0-9_.:-]{1,255})"`);
  return pattern.exec(rawBody.subarray(0, SEARCH_BYTES).toString('utf8'))?.[1];
}

/** A header's value as a claimed id for a log line: bounded and printable, or nothing. */
export function claimedHeader(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_.:-]{1,255}$/.test(value) ? value : undefined;
}
