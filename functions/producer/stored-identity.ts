import { hasLoneSurrogate } from '../lib/webhook-message';
import { KEY_SEPARATOR, sourceEventKey } from '../webhook-identity';
import { MAX_EVENT_ID_BYTES } from './webhook-event';
import type { WebhookSource } from './webhook-sources';

/** An event's identity as the pipeline stores it. */
export interface StoredIdentity {
  source: string;
  /** The sender's id (Stripe's `id`, GitHub's delivery GUID, ...). */
  id: string;
  type: string;
  /** The table key: the bare id for the `/webhook` source, `<source>#<id>` for the others. */
  key: string;
  /** Whether the key is the bare id (the `/webhook` source's messages carry no identity attributes). */
  bareKey: boolean;
}

export type IdentityResult = { ok: true; identity: StoredIdentity } | { ok: false; reason: string };

/**
 * The stored identity of a verified event, or why it can never be stored (a 400: DynamoDB refuses
 * a key over 2,048 bytes, and a lone surrogate cannot be written as UTF-8). `otherSources` are the
 * `/webhooks/<source>` sources: a bare id that begins with one of their prefixes is refused, so
 * the `/webhook` source's keys and theirs never meet.
 */
export function storedIdentity(source: WebhookSource, id: string, type: string, otherSources: Iterable<string>): IdentityResult {
  if (hasLoneSurrogate(id) || hasLoneSurrogate(type)) return { ok: false, reason: 'event id and type must be valid Unicode' };
  const key = source.bareKeys ? id : sourceEventKey(source.name, id);
  const prefixBytes = Buffer.byteLength(key, 'utf8') - Buffer.byteLength(id, 'utf8');
  if (Buffer.byteLength(key, 'utf8') > MAX_EVENT_ID_BYTES) return { ok: false, reason: `event id longer than ${MAX_EVENT_ID_BYTES - prefixBytes} bytes` };
  if (source.bareKeys) {
    for (const other of otherSources) {
      if (id.startsWith(`${other}${KEY_SEPARATOR}`)) return { ok: false, reason: `event id must not begin with "${other}${KEY_SEPARATOR}", the prefix of the ${other} source's events` };
    }
  }
  return { ok: true, identity: { source: source.name, id, type, key, bareKey: source.bareKeys } };
}
