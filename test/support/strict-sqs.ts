import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { sqsRefuses } from './webhook-fuzz';

function refusal(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/**
 * An SQS client double that enforces what real SQS enforces on `SendMessage` and the emulator
 * does not: the body's character set, the message size (body plus attributes) against the
 * queue's maximum, at most 10 attributes with non-empty names, types and values. A violation is
 * refused the way SQS refuses it (a 400-class error), so the producer under test answers 502.
 * Used where thousands of sends must stay fast; the emulator tests cover the wire.
 */
export class StrictSqs {
  readonly messages: Message[] = [];

  constructor(private readonly maxMessageBytes: number) {}

  readonly send = (async (command: unknown) => {
    if (!(command instanceof SendMessageCommand)) throw new Error('StrictSqs only models SendMessage');
    const input = command.input;
    const body = input.MessageBody ?? '';
    if (body === '') throw refusal('InvalidParameterValue', 'The message body must be non-empty');
    if (sqsRefuses(body)) throw refusal('InvalidMessageContents', 'Invalid characters found in the message body');
    const attributes = input.MessageAttributes ?? {};
    const names = Object.keys(attributes);
    if (names.length > 10) throw refusal('InvalidParameterValue', 'Number of message attributes exceeds 10');
    let bytes = Buffer.byteLength(body);
    for (const name of names) {
      const attribute = attributes[name]!;
      const value = attribute.StringValue ?? '';
      if (!name || !attribute.DataType || value === '') throw refusal('InvalidParameterValue', `message attribute ${name} is empty`);
      if (/^(aws\.|amazon\.)/i.test(name)) throw refusal('InvalidParameterValue', `reserved attribute name ${name}`);
      if (sqsRefuses(value)) throw refusal('InvalidMessageContents', `Invalid characters in attribute ${name}`);
      bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType) + Buffer.byteLength(value);
    }
    if (bytes > this.maxMessageBytes) throw refusal('InvalidParameterValue', `message of ${bytes} bytes exceeds ${this.maxMessageBytes}`);
    const messageId = randomUUID();
    this.messages.push({
      MessageId: messageId,
      ReceiptHandle: randomUUID(),
      Body: body,
      MessageAttributes: attributes,
      Attributes: { SentTimestamp: String(Date.now()), ...(input.MessageSystemAttributes?.AWSTraceHeader?.StringValue ? { AWSTraceHeader: input.MessageSystemAttributes.AWSTraceHeader.StringValue } : {}) },
    });
    return { MessageId: messageId };
  }) as unknown as SQSClient['send'];
}
