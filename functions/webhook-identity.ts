/**
 * The identity a queued webhook carries from the producer to the consumer (and to where-is and
 * redrive), beside the signed body and its `webhook-body-encoding` (lib/webhook-message):
 *
 * - `webhook-source`: the source the request came in on (`stripe` for `/webhook`, `<source>`
 *   for `/webhooks/<source>`). Every message of this producer carries it.
 * - `webhook-event-id`, `webhook-event-type`: the event's id and type, read where its sender puts
 *   them (a header for GitHub, Shopify and Standard Webhooks' id, the body for Stripe and Slack).
 *   Only messages of a `/webhooks/<source>` source carry them; such an event is stored under
 *   `<source>#<id>`, so two senders' ids never collide.
 *
 * A message without `webhook-event-id` is a `/webhook` message (or one queued before sources
 * existed, or from another producer): its id and type are read from its body and it is stored
 * under the bare id, as before, so de-duplication holds across the upgrade.
 */
export const SOURCE_ATTRIBUTE = 'webhook-source';
export const EVENT_ID_ATTRIBUTE = 'webhook-event-id';
export const EVENT_TYPE_ATTRIBUTE = 'webhook-event-type';

/** The source served on `/webhook`: today's variables configure it, and its events keep bare keys. */
export const DEFAULT_SOURCE_NAME = 'stripe';

/** A source's name: a path segment, a metric dimension and a key prefix, so never a `#`. */
export const SOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Between a source's name and its sender's event id in the stored key. */
export const KEY_SEPARATOR = '#';

/** The table key of an event of a `/webhooks/<source>` source. */
export function sourceEventKey(source: string, id: string): string {
  return `${source}${KEY_SEPARATOR}${id}`;
}
