import type { SQSRecord } from 'aws-lambda';
import type { LambdaMessageAttribute, LambdaMessageAttributes } from './sqs-carrier.js';

/**
 * An SNS notification as SNS writes it into the body of an SQS message when the subscription
 * delivers without raw message delivery: the published message in `Message`, and the publisher's
 * message attributes in `MessageAttributes` as `{ Type, Value }` (with raw delivery, SNS sends the
 * message itself as the body and the attributes as SQS message attributes instead).
 */
export interface SnsEnvelope {
  /** SNS's id of the published message (the same in every subscriber's copy). */
  messageId: string;
  topicArn: string;
  /** The published message, exactly as the publisher sent it. */
  message: string;
  /** The envelope's `MessageAttributes`, in the shape Lambda gives SQS message attributes. */
  messageAttributes: LambdaMessageAttributes;
  /** When SNS accepted the publish (ISO 8601), if the envelope says. */
  timestamp?: string;
  subject?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `{ Type, Value }` as Lambda shapes an SQS message attribute. SNS writes `Binary` values in
 * base64, as Lambda does `binaryValue`; every other type (String, Number, String.Array) is text.
 */
function lambdaAttribute(type: string, value: string): LambdaMessageAttribute {
  const base = { dataType: type, stringListValues: [], binaryListValues: [] };
  return type === 'Binary' ? { ...base, binaryValue: value } : { ...base, stringValue: value };
}

function envelopeAttributes(raw: unknown): LambdaMessageAttributes {
  const attributes: LambdaMessageAttributes = {};
  if (!isObject(raw)) return attributes;
  for (const [name, attribute] of Object.entries(raw)) {
    // Anything but a well-formed { Type, Value } is skipped, never a failure.
    if (isObject(attribute) && typeof attribute.Type === 'string' && typeof attribute.Value === 'string') attributes[name] = lambdaAttribute(attribute.Type, attribute.Value);
  }
  return attributes;
}

/** Parses a body as an SNS notification; undefined for anything that is not one in full. */
function parseEnvelope(body: string): SnsEnvelope | undefined {
  // Cheap tests first: most bodies are not envelopes and are never parsed here.
  if (!body.trimStart().startsWith('{') || !body.includes('"TopicArn"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed.Type !== 'Notification') return undefined;
  const { Message, MessageId, TopicArn, Timestamp, Subject } = parsed;
  if (typeof Message !== 'string' || typeof MessageId !== 'string' || typeof TopicArn !== 'string' || !TopicArn.startsWith('arn:')) return undefined;
  return {
    messageId: MessageId,
    topicArn: TopicArn,
    message: Message,
    messageAttributes: envelopeAttributes(parsed.MessageAttributes),
    ...(typeof Timestamp === 'string' ? { timestamp: Timestamp } : {}),
    ...(typeof Subject === 'string' ? { subject: Subject } : {}),
  };
}

// A record is looked at twice (for its context, then for the work): its body is parsed once.
const seen = new WeakMap<object, SnsEnvelope | null>();

/**
 * The SNS notification a record's body holds, when the record came from an SNS subscription
 * without raw message delivery; undefined otherwise (raw delivery, a direct send, a body that is
 * not a complete notification: JSON with `Type` `Notification` and string `Message`, `MessageId`
 * and `TopicArn`). Never throws.
 */
export function snsEnvelopeOf(record: { readonly body?: unknown }): SnsEnvelope | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const cached = seen.get(record);
  if (cached !== undefined) return cached ?? undefined;
  const envelope = typeof record.body === 'string' ? parseEnvelope(record.body) : undefined;
  seen.set(record, envelope ?? null);
  return envelope;
}

/**
 * The record as the publisher sent it: the envelope's `Message` as its body and the envelope's
 * message attributes as its message attributes; everything else (message id, receive count,
 * `AWSTraceHeader`, the queue) as SQS delivered it.
 */
export function unwrapSnsEnvelope<R extends SQSRecord>(record: R, envelope: SnsEnvelope): R {
  return { ...record, body: envelope.message, messageAttributes: envelope.messageAttributes };
}
