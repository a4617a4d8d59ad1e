/** The parts of a Stripe-style event the pipeline relies on; everything else travels as payload. */
export interface WebhookEvent {
  id: string;
  type: string;
  [key: string]: unknown;
}

export type ParseResult = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

export function parseWebhookEvent(rawBody: Buffer): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'body must be a JSON object' };
  }
  const candidate = parsed as Record<string, unknown>;
  if (typeof candidate.id !== 'string' || candidate.id === '' || typeof candidate.type !== 'string' || candidate.type === '') {
    return { ok: false, reason: 'event must have string id and type' };
  }
  return { ok: true, event: candidate as WebhookEvent };
}

/** The SQS message body: the consumer's input contract. */
export interface QueuedWebhook {
  eventId: string;
  type: string;
  receivedAt: string;
  payload: WebhookEvent;
}
