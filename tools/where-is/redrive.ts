import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { messageEventKey, peekDeadLetterQueue, releaseMessages } from './dlq-peek';

export type RedriveMethod = 'auto' | 'move-task' | 'copy';

export interface RedriveOptions {
  dlqUrl: string;
  queueUrl: string;
  method: RedriveMethod;
  /** At most this many messages (copy only: a move task moves everything). */
  count?: number;
  /** Messages per second at most. */
  rate?: number;
  /** Only the messages of this event, by its table key (copy only): its id for /webhook, `<source>#<id>` for a source. */
  eventKey?: string;
  dryRun: boolean;
  /** How many DLQ messages a dry run or an event filter looks at, at most. */
  maxMessages: number;
  sleep?: (ms: number) => Promise<void>;
  onMessage?: (line: string) => void;
}

export interface MovedMessage {
  from: string;
  to?: string;
  /** The event's table key. */
  eventKey?: string;
}

export interface RedriveResult {
  method: 'move-task' | 'copy' | 'dry-run';
  moved: MovedMessage[];
  /** For a move task: its handle, to follow with ListMessageMoveTasks. */
  taskHandle?: string;
  notes: string[];
}

/**
 * What SendMessage takes back from what ReceiveMessage gave: every message attribute (the
 * producer's trace context among them), without the empty list fields the receive adds.
 */
export function resendableAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => {
    const kept: MessageAttributeValue = { DataType: value.DataType ?? 'String' };
    if (value.StringValue !== undefined) kept.StringValue = value.StringValue;
    if (value.BinaryValue !== undefined) kept.BinaryValue = value.BinaryValue;
    return [name, kept] as const;
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * The endpoint does not know the action. moto 5.2 answers StartMessageMoveTask with an HTML
 * error page (HTTP 500) that the SDK cannot parse: a SyntaxError, which SQS itself never causes.
 */
const isUnsupported = (error: unknown) => {
  const { name, message, $metadata, $response } = (error ?? {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  const status = $metadata?.httpStatusCode ?? $response?.statusCode;
  return (
    /UnsupportedOperation|InvalidAction|NotImplemented|UnknownOperation/i.test(`${name} ${message}`) ||
    /not (yet )?(implemented|supported)/i.test(message ?? '') ||
    name === 'SyntaxError' ||
    status === 404 ||
    status === 501
  );
};

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no QueueArn for ${url}`);
  return Attributes.QueueArn;
}

/**
 * Copies DLQ messages back to the queue one by one: receive (hidden for a minute, so two
 * redrives never send one message twice), send with the same body, message attributes and
 * AWSTraceHeader, then delete from the DLQ. Send before delete: a crash in between leaves a
 * duplicate, never a loss, and the consumer ignores duplicates. Messages of other events are
 * made visible again at once.
 */
async function copyBack(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const moved: MovedMessage[] = [];
  const skipped: Message[] = [];
  const seen = new Set<string>();
  const spacingMs = options.rate ? 1000 / options.rate : 0;
  let lastSend = 0;
  let emptyRounds = 0;
  try {
    while (moved.length < limit && emptyRounds < 2 && seen.size < options.maxMessages + moved.length) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          WaitTimeSeconds: emptyRounds > 0 ? 1 : 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = Messages.filter((m) => !seen.has(m.MessageId as string));
      emptyRounds = fresh.length === 0 ? emptyRounds + 1 : 0;
      for (const message of fresh) {
        seen.add(message.MessageId as string);
        const eventKey = messageEventKey(message);
        if (moved.length >= limit || (options.eventKey !== undefined && eventKey !== options.eventKey)) {
          skipped.push(message);
          continue;
        }
        const wait = lastSend + spacingMs - Date.now();
        if (wait > 0) await sleep(wait);
        lastSend = Date.now();
        const traceHeader = message.Attributes?.AWSTraceHeader;
        const sent = await sqs.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: resendableAttributes(message),
            ...(traceHeader ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } } } : {}),
          }),
        );
        await sqs.send(new DeleteMessageCommand({ QueueUrl: options.dlqUrl, ReceiptHandle: message.ReceiptHandle as string }));
        const entry: MovedMessage = { from: message.MessageId as string, ...(sent.MessageId ? { to: sent.MessageId } : {}), ...(eventKey ? { eventKey } : {}) };
        moved.push(entry);
        options.onMessage?.(`moved ${entry.from} -> ${entry.to ?? '?'}${eventKey ? ` (${eventKey.length > 60 ? `${eventKey.slice(0, 57)}…` : eventKey})` : ''}`);
      }
    }
  } finally {
    await releaseMessages(sqs, options.dlqUrl, skipped);
  }
  return { method: 'copy', moved, notes: [] };
}

/** Moves DLQ messages back to their queue: a dry run lists them, a move task or a copy moves them. */
export async function redrive(sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> {
  if (options.dryRun) {
    const peek = await peekDeadLetterQueue(sqs, options.dlqUrl, { maxMessages: options.maxMessages, holdSeconds: 30 });
    const matching = peek.messages.filter((m) => options.eventKey === undefined || messageEventKey(m) === options.eventKey);
    const chosen = matching.slice(0, options.count ?? matching.length);
    return {
      method: 'dry-run',
      moved: chosen.map((m) => {
        const eventKey = messageEventKey(m);
        return { from: m.MessageId as string, ...(eventKey ? { eventKey } : {}) };
      }),
      notes: [`would move ${chosen.length} of ${peek.messages.length} messages read (about ${peek.approximateVisible} in the DLQ); nothing was changed`, ...peek.notes],
    };
  }
  const needsCopy = options.count !== undefined || options.eventKey !== undefined;
  if (options.method === 'move-task' && needsCopy) throw new Error('--count and --event-id need --method copy: a move task moves every message');
  if (options.method !== 'copy' && !needsCopy) {
    try {
      const [sourceArn, destinationArn] = await Promise.all([queueArn(sqs, options.dlqUrl), queueArn(sqs, options.queueUrl)]);
      const task = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn, ...(options.rate ? { MaxNumberOfMessagesPerSecond: options.rate } : {}) }),
      );
      return { method: 'move-task', moved: [], ...(task.TaskHandle ? { taskHandle: task.TaskHandle } : {}), notes: ['SQS moves the messages in the background, keeping their attributes and trace header'] };
    } catch (error) {
      if (options.method === 'move-task' || !isUnsupported(error)) throw error;
      const result = await copyBack(sqs, options);
      result.notes.push(`StartMessageMoveTask is not available here (${(error as Error).name}): copied instead`);
      return result;
    }
  }
  return copyBack(sqs, options);
}
