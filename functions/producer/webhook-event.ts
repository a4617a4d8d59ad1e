import { hasLoneSurrogate } from '../lib/webhook-message';
import { jsonObject } from './senders/event-body';

/** The parts of a Stripe-style event the pipeline relies on; the rest travels untouched in the signed text. */
export interface WebhookEvent {
  id: string;
  type: string;
}

export type ParseResult = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

/** DynamoDB refuses a partition key longer than this: such an event could never be stored. */
export const MAX_EVENT_ID_BYTES = 2048;


/**
 * DynamoDB caps an item at 400 KB (names and values). The consumer stores the text, the key, the
 * type and the source (with the sender's id when the key is `<source>#<id>`) plus five short
 * fields (under 200 bytes together); 1 KiB is kept for those and the attribute names.
 */
const MAX_STORED_BYTES = 400 * 1024 - 1024;

/**
 * False when the consumer could never store this event: the write would fail on every retry.
 * `fields` are the other long values of the item (its key, the sender's id when it differs, the
 * type, the source).
 */
export function fitsOneItem(text: string, fields: readonly string[]): boolean {
  return fields.reduce((bytes, field) => bytes + Buffer.byteLength(field, 'utf8'), Buffer.byteLength(text, 'utf8')) <= MAX_STORED_BYTES;
}

// `fatal`: invalid UTF-8 is refused rather than replaced by U+FFFD; `ignoreBOM`: a BOM stays in
// the text, so the text encodes back to exactly the bytes that were signed.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text when it is valid UTF-8, otherwise undefined. */
export function utf8Text(rawBody: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(rawBody);
  } catch {
    return undefined;
  }
}

/**
 * Reads `id` and `type` from the signed text. `JSON.parse` is iterative in V8, so any nesting
 * depth parses; nothing here serializes the event again.
 */
export function parseWebhookEvent(text: string): ParseResult {
  const body = jsonObject(text);
  if (!body.ok) return body;
  const { id, type } = body.object;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
    return { ok: false, reason: 'event must have string id and type' };
  }
  // A `\ud800` escape parses to a lone surrogate, which no UTF-8 store can hold as given.
  if (hasLoneSurrogate(id) || hasLoneSurrogate(type)) {
    return { ok: false, reason: 'event id and type must be valid Unicode' };
  }
  if (Buffer.byteLength(id, 'utf8') > MAX_EVENT_ID_BYTES) {
    return { ok: false, reason: `event id longer than ${MAX_EVENT_ID_BYTES} bytes` };
  }
  return { ok: true, event: { id, type } };
}
