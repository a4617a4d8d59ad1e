// Where the producer sends a verified webhook: its SQS queue (the default), or, with fan-out, the
// SNS topic its consumers' queues subscribe to. The rest of the producer (verification, the span,
// the trace fields, the answer) is the same for both; this module holds what differs: the names on
// the span, the attributes the destination needs, its size limits, and the call.
import type { MessageSystemAttributeValue, SendMessageCommandInput, SendMessageCommandOutput } from '@aws-sdk/client-sqs';
import type { PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import type { Attributes } from '@opentelemetry/api';
import { ATTR, MESSAGING_SYSTEM_SNS, MESSAGING_SYSTEM_SQS, queueNameFromUrl } from '../lib/attributes';
import { ConfigError, optionalString, requiredString, type Env } from '../lib/config';
import type { SdkMessageAttributes } from '../lib/sqs-carrier';
import { isSqsText, sqsMessageBytes } from '../lib/webhook-message';
import { EVENT_TYPE_ATTRIBUTE } from '../webhook-identity';

/**
 * The SNS client package, loaded on first use: a producer sending to its queue never loads it
 * (it adds 20-40 ms to a cold start), one publishing to a topic loads it at its cold start.
 */
export function snsClientModule(): typeof import('@aws-sdk/client-sns') {
  return require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
}

/** SNS's largest message: body plus attributes, counted as SQS counts them. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * What the subscriptions' filter policies match on: the event type (`webhook-event-type`, which a
 * `/webhooks/<source>` message carries anyway and a `/webhook` message carries when published to a
 * topic) and the source (`webhook-source`, on every message). SNS filters on message attributes,
 * not on the body, which the producer sends as signed and SNS may not be able to read as JSON.
 * Both count toward the 10 attributes SNS and SQS allow, beside the trace fields.
 */
export { EVENT_TYPE_ATTRIBUTE, SOURCE_ATTRIBUTE } from '../webhook-identity';

export type DestinationConfig =
  | { kind: 'queue'; queueUrl: string; queueName: string }
  | {
      kind: 'topic';
      topicArn: string;
      topicName: string;
      /**
       * Some subscription delivers without raw message delivery (TOPIC_ENVELOPE_DELIVERY): its
       * queue then receives SNS's envelope, larger than the message, which must fit the queue too.
       */
      envelopeDelivery: boolean;
    };

/** QUEUE_URL (the queue), or TOPIC_ARN (fan-out through SNS): exactly one. */
export function loadDestination(env: Env): DestinationConfig {
  const topicArn = optionalString(env, 'TOPIC_ARN');
  if (topicArn === undefined) {
    const queueUrl = requiredString(env, 'QUEUE_URL');
    try {
      new URL(queueUrl);
    } catch {
      throw new ConfigError(`QUEUE_URL must be an SQS queue URL; got "${queueUrl}"`);
    }
    return { kind: 'queue', queueUrl, queueName: queueNameFromUrl(queueUrl) };
  }
  if (optionalString(env, 'QUEUE_URL') !== undefined) throw new ConfigError('set QUEUE_URL or TOPIC_ARN, not both: the producer sends each webhook to one destination');
  if (!/^arn:[^:]+:sns:[^:]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn)) throw new ConfigError(`TOPIC_ARN must be an SNS topic ARN (standard, not FIFO); got "${topicArn}"`);
  const envelope = optionalString(env, 'TOPIC_ENVELOPE_DELIVERY') ?? 'true';
  if (envelope !== 'true' && envelope !== 'false') throw new ConfigError(`TOPIC_ENVELOPE_DELIVERY must be true or false; got "${envelope}"`);
  return { kind: 'topic', topicArn, topicName: topicArn.split(':').pop() as string, envelopeDelivery: envelope === 'true' };
}

/** The largest message the destination takes: the queue's size, or SNS's 256 KiB when that is smaller. */
export function destinationMaxMessageBytes(destination: DestinationConfig, queueMaxMessageBytes: number): number {
  return destination.kind === 'topic' ? Math.min(SNS_MAX_MESSAGE_BYTES, queueMaxMessageBytes) : queueMaxMessageBytes;
}

/**
 * Room SNS's envelope takes beside the message and the topic ARN: its other fields (type, ids,
 * timestamp, signature version, a 344-character signature, the certificate and unsubscribe URLs)
 * and its layout come to about 900 bytes; the rest is margin.
 */
const ENVELOPE_FIXED_BYTES = 1536;

/**
 * An upper bound of the size of the SNS notification a subscription without raw message delivery
 * puts in its queue: the message as a JSON string (SNS escapes quotes, backslashes and control
 * characters, and writes other characters as they are), the topic ARN twice (its field and the
 * unsubscribe URL, with the subscription's id), each attribute as `"name" : {"Type":…,"Value":…}`.
 */
export function snsEnvelopeBytes(message: string, attributes: SdkMessageAttributes, topicArn: string): number {
  let bytes = ENVELOPE_FIXED_BYTES + Buffer.byteLength(JSON.stringify(message), 'utf8') + 2 * Buffer.byteLength(topicArn, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attribute.StringValue ?? Buffer.from(attribute.BinaryValue ?? new Uint8Array()).toString('base64');
    bytes += 40 + Buffer.byteLength(JSON.stringify(name) + JSON.stringify(attribute.DataType) + JSON.stringify(value), 'utf8');
  }
  return bytes;
}

/** Why a message cannot go: how large it is, against which limit, and what that limit is. */
export interface Oversize {
  bytes: number;
  limit: number;
  /** `queue message`, `topic message`, or `envelope` (SNS's notification in a subscribed queue). */
  what: 'queue message' | 'topic message' | 'envelope';
}

/** The SDK calls a destination makes, as the handler's wiring provides them (the clients stay outside). */
export interface DestinationClients {
  sendMessage?: (input: SendMessageCommandInput) => Promise<SendMessageCommandOutput>;
  publish?: (input: PublishCommandInput) => Promise<PublishCommandOutput>;
}

export interface WebhookDestination {
  /** The queue's or the topic's name: the producer's span is `send <name>`. */
  readonly name: string;
  /** The messaging attributes of that span. */
  readonly spanAttributes: Attributes;
  /** Attributes the destination needs beside the body encoding, written before the trace fields. */
  ownAttributes(eventType: string): SdkMessageAttributes;
  /** Why the message cannot be sent, or undefined when it fits. */
  oversize(body: string, attributes: SdkMessageAttributes): Oversize | undefined;
  /** Sends the message; resolves with the id SQS or SNS gave it. */
  send(body: string, attributes: SdkMessageAttributes, traceHeader: string | undefined): Promise<string>;
}

/** The destination the configuration names, sending through the given calls. */
export function createDestination(destination: DestinationConfig, maxMessageBytes: number, clients: DestinationClients): WebhookDestination {
  if (destination.kind === 'queue') {
    const { sendMessage } = clients;
    if (!sendMessage) throw new Error('a queue destination needs the SQS client');
    return {
      name: destination.queueName,
      spanAttributes: { [ATTR.messagingSystem]: MESSAGING_SYSTEM_SQS, [ATTR.messagingDestinationName]: destination.queueName },
      ownAttributes: () => ({}),
      oversize: (body, attributes) => {
        const bytes = sqsMessageBytes(body, attributes);
        return bytes > maxMessageBytes ? { bytes, limit: maxMessageBytes, what: 'queue message' } : undefined;
      },
      send: async (body, attributes, traceHeader) => {
        // The X-Ray header as a system attribute too, so X-Ray's own SQS-to-Lambda linking works.
        const systemAttributes: Record<string, MessageSystemAttributeValue> | undefined = traceHeader
          ? { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } }
          : undefined;
        const sent = await sendMessage({ QueueUrl: destination.queueUrl, MessageBody: body, MessageAttributes: attributes, MessageSystemAttributes: systemAttributes });
        return sent.MessageId ?? '';
      },
    };
  }
  const { publish } = clients;
  if (!publish) throw new Error('a topic destination needs the SNS client');
  const publishLimit = Math.min(maxMessageBytes, SNS_MAX_MESSAGE_BYTES);
  return {
    name: destination.topicName,
    spanAttributes: {
      [ATTR.messagingSystem]: MESSAGING_SYSTEM_SNS,
      [ATTR.messagingDestinationName]: destination.topicName,
      [ATTR.snsTopicArn]: destination.topicArn,
    },
    // A type SQS could not carry (a raw U+FFFE) would fail every raw delivery: such an event goes
    // without the attribute, and only subscriptions without an event-type filter receive it.
    ownAttributes: (eventType): SdkMessageAttributes => (isSqsText(eventType) ? { [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: eventType } } : {}),
    oversize: (body, attributes) => {
      const bytes = sqsMessageBytes(body, attributes);
      if (bytes > publishLimit) return { bytes, limit: publishLimit, what: 'topic message' };
      if (!destination.envelopeDelivery) return undefined;
      const envelope = snsEnvelopeBytes(body, attributes, destination.topicArn);
      return envelope > maxMessageBytes ? { bytes: envelope, limit: maxMessageBytes, what: 'envelope' } : undefined;
    },
    // No AWSTraceHeader parameter here: SNS takes the X-Ray header of the Publish request itself
    // (the SDK sends it inside Lambda) and sets it on the messages it delivers to queues.
    send: async (body, attributes) => (await publish({ TopicArn: destination.topicArn, Message: body, MessageAttributes: attributes })).MessageId ?? '',
  };
}
