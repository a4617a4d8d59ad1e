/** How much of a body is searched for the event id: Stripe puts `id` first, and a rejected body is never parsed. */
const SEARCH_BYTES = 1024;
const ID_PATTERN = /"id"\s*:\s*"([A-Za-z0-9_.:-]{1,255})"/;

/**
 * The event id a request claims, for the log line that says why it was rejected, so that
 * "what happened to evt_…?" finds rejections too. Read with a bounded pattern from the first
 * bytes, never by parsing an unverified body; unverified, so logged as `claimedEventId`.
 */
export function claimedEventId(rawBody: Buffer): string | undefined {
  return ID_PATTERN.exec(rawBody.subarray(0, SEARCH_BYTES).toString('utf8'))?.[1];
}
