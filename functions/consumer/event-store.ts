import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface StoredWebhook {
  /** The table's key: the bare id, or `<source>#<id>` for a `/webhooks/<source>` source. */
  eventId: string;
  type: string;
  /** The source it came in on, when the message says. */
  source?: string;
  /** The sender's own id, when the key is `<source>#<id>`. */
  sourceEventId?: string;
  /** The event text exactly as the sender signed it (the earlier envelope: its `payload` as JSON). */
  payload: string;
  receivedAt: string;
  processedAt: string;
  messageId: string;
  /** 32-hex trace id of the record's span, so an item leads to its trace. */
  traceId: string;
}

export type StoreOutcome = 'stored' | 'duplicate';

/**
 * Writes the item only if no item with its `eventId` (the key) exists. Senders deliver at least
 * once and SQS may redeliver, so an existing item means this event was already processed: a success.
 */
export async function storeWebhookOnce(dynamodb: Pick<DynamoDBClient, 'send'>, tableName: string, item: StoredWebhook): Promise<StoreOutcome> {
  const attributes = Object.fromEntries(Object.entries(item).flatMap(([name, value]) => (typeof value === 'string' ? [[name, { S: value }]] : [])));
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: attributes,
        ConditionExpression: 'attribute_not_exists(eventId)',
      }),
    );
    return 'stored';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') return 'duplicate';
    throw error;
  }
}
