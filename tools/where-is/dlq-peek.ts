import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { snsEnvelopeOf } from '../../functions/lib/sns-envelope';
import { BODY_ENCODING_ATTRIBUTE, decodeBody } from '../../functions/lib/webhook-message';
import { EVENT_ID_ATTRIBUTE, SOURCE_ATTRIBUTE, sourceEventKey } from '../../functions/webhook-identity';

export interface PeekResult {
  messages: Message[];
  /** ApproximateNumberOfMessages (visible) before the look. */
  approximateVisible: number;
  /** Every visible message was seen (as far as SQS's approximate count tells). */
  complete: boolean;
  notes: string[];
}

export interface PeekOptions {
  maxMessages: number;
  /** How long a seen message stays hidden so the next receive returns others; released at the end. */
  holdSeconds: number;
}

/**
 * Reads a dead-letter queue without consuming it. SQS has no peek: a receive is the only read.
 * Each received message is hidden for `holdSeconds` (so the scan moves on to the others, which
 * a zero visibility timeout would not), never deleted, and made visible again as soon as the
 * scan ends. What a look does change: each seen message's ApproximateReceiveCount goes up by
 * one. Harmless on a DLQ that has no redrive policy of its own, which is checked first; a queue
 * that has one (where receives count toward maxReceiveCount) is not read at all.
 */
export async function peekDeadLetterQueue(sqs: SQSClient, queueUrl: string, options: PeekOptions): Promise<PeekResult> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'RedrivePolicy'] }),
  );
  const approximateVisible = Number(attributes.ApproximateNumberOfMessages ?? 0);
  if (attributes.RedrivePolicy) {
    return { messages: [], approximateVisible, complete: false, notes: [`not read: ${queueUrl} has a redrive policy of its own, so a look would count toward its maxReceiveCount`] };
  }
  const seen = new Map<string, Message>();
  const notes: string[] = [];
  let emptyRounds = 0;
  try {
    while (seen.size < options.maxMessages && emptyRounds < 2) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.maxMessages - seen.size),
          VisibilityTimeout: options.holdSeconds,
          // Long polling asks every SQS server, so an empty answer means empty, not unlucky.
          WaitTimeSeconds: emptyRounds > 0 ? 1 : 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = Messages.filter((message) => !seen.has(message.MessageId as string));
      for (const message of fresh) seen.set(message.MessageId as string, message);
      emptyRounds = fresh.length === 0 ? emptyRounds + 1 : 0;
      if (seen.size >= approximateVisible && fresh.length === 0) break;
    }
  } finally {
    await releaseMessages(sqs, queueUrl, [...seen.values()]).catch((error: unknown) => {
      notes.push(`could not release every message at once (${String(error)}); they reappear after ${options.holdSeconds} s`);
    });
  }
  const capped = seen.size >= options.maxMessages && approximateVisible > seen.size;
  if (capped) notes.push(`read ${seen.size} of about ${approximateVisible} messages (cap --max-messages ${options.maxMessages})`);
  return { messages: [...seen.values()], approximateVisible, complete: !capped && seen.size >= Math.min(approximateVisible, options.maxMessages), notes };
}

/** Makes received messages visible again at once. */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle as string, VisibilityTimeout: 0 })),
      }),
    );
  }
}

/**
 * The table key of the event a queued message carries (functions/webhook-identity.ts): a
 * `/webhooks/<source>` message names its event in attributes (`<source>#<id>`); a `/webhook`
 * message's body is the signed event itself (`id`), escaped only where SQS's character set
 * requires (`webhook-body-encoding`); a message from before 0.2.0 has no encoding attribute and
 * holds the envelope `{ eventId, type, payload }`. With fan-out, a subscription without raw
 * delivery puts SNS's envelope in the queue: the message and its attributes are read from inside it.
 */
export function messageEventKey(message: Pick<Message, 'Body' | 'MessageAttributes'>): string | undefined {
  try {
    const sns = snsEnvelopeOf({ body: message.Body });
    const body = sns ? sns.message : (message.Body ?? '');
    const attribute = (name: string) => (sns ? sns.messageAttributes[name]?.stringValue : message.MessageAttributes?.[name]?.StringValue);
    const id = attribute(EVENT_ID_ATTRIBUTE);
    const source = attribute(SOURCE_ATTRIBUTE);
    if (id !== undefined) return source !== undefined ? sourceEventKey(source, id) : undefined;
    const encoding = attribute(BODY_ENCODING_ATTRIBUTE);
    if (encoding === undefined) {
      const envelope = JSON.parse(body) as { eventId?: unknown };
      return typeof envelope.eventId === 'string' ? envelope.eventId : undefined;
    }
    const event = JSON.parse(decodeBody(body, encoding)) as { id?: unknown };
    return typeof event.id === 'string' ? event.id : undefined;
  } catch {
    return undefined;
  }
}
