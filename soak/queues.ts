// What the soak reads back from the emulator at the end: the items, the dead letters, the queues' depth.
import { AttributeValue, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { messageEventKey } from '../tools/where-is/dlq-peek';
import type { StoredItem } from './checks';

/** Every item, with only the attributes the checks read (payloads stay in the emulator). */
export async function scanItems(dynamodb: DynamoDBClient, tableName: string): Promise<Map<string, StoredItem>> {
  const items = new Map<string, StoredItem>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ProjectionExpression: 'eventId, traceId, processedAt, messageId' }),
    );
    for (const item of page.Items ?? []) {
      const eventId = item.eventId?.S ?? '';
      items.set(eventId, { eventId, traceId: item.traceId?.S ?? '', processedAt: item.processedAt?.S ?? '', messageId: item.messageId?.S ?? '' });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The eventId of every DLQ message, one per message (received with a long visibility timeout so none repeats). */
export async function drainDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    const messages = batch.Messages ?? [];
    if (messages.length === 0) empty++;
    for (const message of messages) {
      // The reader where-is and redrive use: the signed body (escaped where SQS requires) or the earlier envelope.
      ids.push(messageEventKey(message) ?? `(no event id: ${message.MessageId})`);
    }
  }
  return ids;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }));
  return names.reduce((sum, name) => sum + Number(Attributes?.[name] ?? 0), 0);
}
