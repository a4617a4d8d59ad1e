import type { SQSRecord } from 'aws-lambda';
import { sqsAttributesGetter } from '../lib/sqs-carrier';
import { BODY_ENCODING_ATTRIBUTE, decodeBody } from '../lib/webhook-message';
import { EVENT_ID_ATTRIBUTE, EVENT_TYPE_ATTRIBUTE, SOURCE_ATTRIBUTE, sourceEventKey } from '../webhook-identity';

/** A record the consumer cannot process; it fails, is retried, and ends in the DLQ. */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

export interface QueuedWebhook {
  /** The table key: the bare id, or `<source>#<id>` for a `/webhooks/<source>` source (webhook-identity.ts). */
  key: string;
  /** The sender's event id. */
  eventId: string;
  type: string;
  /** The source it came in on; unknown for messages queued before sources existed, or from another producer. */
  source?: string;
  /** The event text to store: for this producer's messages, exactly the text that was signed. */
  payload: string;
  /** Only the earlier envelope carries it; otherwise the time SQS accepted the message. */
  receivedAt?: string;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // Iterative in V8: any nesting depth the producer accepted parses here too.
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRecordError(`${what} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidRecordError(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** A message in the earlier envelope `{"eventId","type","receivedAt","payload"}`, from before an upgrade or another producer. */
function readEnvelope(body: string): QueuedWebhook {
  const envelope = parseJsonObject(body, 'message body');
  if (!nonEmptyString(envelope.eventId)) throw new InvalidRecordError('message body has no string eventId');
  let payload: string;
  try {
    payload = JSON.stringify(envelope.payload ?? null);
  } catch {
    throw new InvalidRecordError('message payload cannot be serialized');
  }
  return {
    key: envelope.eventId,
    eventId: envelope.eventId,
    type: typeof envelope.type === 'string' ? envelope.type : 'unknown',
    payload,
    ...(typeof envelope.receivedAt === 'string' ? { receivedAt: envelope.receivedAt } : {}),
  };
}

function signedText(body: string, encoding: string): string {
  try {
    return decodeBody(body, encoding);
  } catch (error) {
    throw new InvalidRecordError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The signed event text carried as the body (lib/webhook-message); it is stored as is, never
 * re-serialized. A `/webhooks/<source>` message names its event in attributes (its body may not
 * even be JSON: a Shopify XML webhook); a `/webhook` message's id and type are its body's.
 */
function readSignedBody(record: SQSRecord, body: string, encoding: string): QueuedWebhook {
  const text = signedText(body, encoding);
  const attribute = (name: string) => sqsAttributesGetter.get(record.messageAttributes, name);
  const source = attribute(SOURCE_ATTRIBUTE);
  const id = attribute(EVENT_ID_ATTRIBUTE);
  if (typeof id === 'string') {
    if (typeof source !== 'string') throw new InvalidRecordError(`message has ${EVENT_ID_ATTRIBUTE} but no ${SOURCE_ATTRIBUTE}`);
    const type = attribute(EVENT_TYPE_ATTRIBUTE);
    return { key: sourceEventKey(source, id), eventId: id, type: typeof type === 'string' ? type : 'unknown', source, payload: text };
  }
  const event = parseJsonObject(text, 'event');
  if (!nonEmptyString(event.id)) throw new InvalidRecordError('event has no string id');
  return {
    key: event.id,
    eventId: event.id,
    type: typeof event.type === 'string' ? event.type : 'unknown',
    ...(typeof source === 'string' ? { source } : {}),
    payload: text,
  };
}

/** Reads a record defensively: hand-built or replayed events may lack `messageAttributes`, `attributes` or `body`. */
export function readRecord(record: SQSRecord): QueuedWebhook {
  const body = typeof record.body === 'string' ? record.body : '';
  const encoding = sqsAttributesGetter.get(record.messageAttributes, BODY_ENCODING_ATTRIBUTE);
  return typeof encoding === 'string' ? readSignedBody(record, body, encoding) : readEnvelope(body);
}

/** When SQS accepted the message, or undefined when the record does not say. */
export function sentAt(record: SQSRecord): string | undefined {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined;
}
