import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { toLambdaRecord } from '../../local-runtime/sqs-records';

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:webhooks';

export interface RecordInput {
  body?: unknown;
  messageAttributes?: Record<string, MessageAttributeValue>;
  awsTraceHeader?: string;
  messageId?: string;
}

/** A Lambda SQS record shaped by the same code the local runtime uses for real messages. */
export function lambdaRecord(input: RecordInput = {}): SQSRecord {
  const eventId = `evt_${randomUUID().slice(0, 12)}`;
  const body = input.body ?? { eventId, type: 'payment_intent.succeeded', receivedAt: new Date().toISOString(), payload: { id: eventId } };
  const message: Message = {
    MessageId: input.messageId ?? randomUUID(),
    ReceiptHandle: randomUUID(),
    Body: typeof body === 'string' ? body : JSON.stringify(body),
    MessageAttributes: input.messageAttributes,
    Attributes: input.awsTraceHeader ? { AWSTraceHeader: input.awsTraceHeader } : {},
  };
  return toLambdaRecord(message, QUEUE_ARN);
}

export const lambdaEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export const stringAttribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
