import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { sqsMessageRefusal } from '../../local-runtime/local-aws/sqs-limits';

/**
 * An in-memory SQS client for the producer's fuzz test, where thousands of sends must stay fast:
 * it refuses a message exactly as the local AWS endpoint does (the same code, sqsMessageRefusal:
 * character set, attribute rules, body plus attributes against the queue's maximum), with SQS's
 * error codes as 400-class errors, so the producer under test answers 502. The end-to-end tests
 * cover the wire through the endpoint itself.
 */
export class StrictSqs {
  readonly messages: Message[] = [];

  constructor(private readonly maxMessageBytes: number) {}

  readonly send = (async (command: unknown) => {
    if (!(command instanceof SendMessageCommand)) throw new Error('StrictSqs only models SendMessage');
    const input = command.input;
    const refusal = sqsMessageRefusal(input, this.maxMessageBytes);
    if (refusal) throw Object.assign(new Error(refusal.message), { name: refusal.code, $metadata: { httpStatusCode: 400 } });
    const messageId = randomUUID();
    this.messages.push({
      MessageId: messageId,
      ReceiptHandle: randomUUID(),
      Body: input.MessageBody ?? '',
      MessageAttributes: input.MessageAttributes ?? {},
      Attributes: { SentTimestamp: String(Date.now()), ...(input.MessageSystemAttributes?.AWSTraceHeader?.StringValue ? { AWSTraceHeader: input.MessageSystemAttributes.AWSTraceHeader.StringValue } : {}) },
    });
    return { MessageId: messageId };
  }) as unknown as SQSClient['send'];
}
