import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordScope } from '@webhook-tracing/sqs-otel';

/** What the module's producer puts on the queue: the verified webhook, wrapped. */
interface QueuedWebhook {
  eventId: string;
  type: string;
  payload: { data?: { object?: { id?: unknown; amount_due?: unknown; currency?: unknown } } };
}

function parse(body: string): QueuedWebhook {
  const parsed = JSON.parse(body) as Partial<QueuedWebhook>;
  if (typeof parsed.eventId !== 'string' || typeof parsed.type !== 'string') throw new Error('not a queued webhook: eventId and type are required');
  return { eventId: parsed.eventId, type: parsed.type, payload: parsed.payload ?? {} };
}

/**
 * Stores `invoice.*` events in the team's own table, once per Stripe event id (Stripe delivers
 * at least once). Any other event type is acknowledged and skipped. Throwing fails only this
 * record: the batch runner reports it in batchItemFailures and marks its span as an error.
 */
export async function handleInvoiceRecord(dynamodb: Pick<DynamoDBClient, 'send'>, tableName: string, body: string, { span, logger }: RecordScope): Promise<void> {
  const webhook = parse(body);
  span.setAttributes({ 'webhook.event_id': webhook.eventId, 'webhook.type': webhook.type });
  if (!webhook.type.startsWith('invoice.')) {
    span.setAttribute('invoice.skipped', true);
    return;
  }
  const invoice = webhook.payload.data?.object ?? {};
  const invoiceId = typeof invoice.id === 'string' ? invoice.id : 'unknown';
  span.setAttribute('invoice.id', invoiceId);
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          eventId: { S: webhook.eventId },
          invoiceId: { S: invoiceId },
          type: { S: webhook.type },
          ...(typeof invoice.amount_due === 'number' ? { amountDue: { N: String(invoice.amount_due) } } : {}),
          ...(typeof invoice.currency === 'string' ? { currency: { S: invoice.currency } } : {}),
        },
        ConditionExpression: 'attribute_not_exists(eventId)',
      }),
    );
    logger.info('invoice stored', { invoiceId, type: webhook.type });
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    span.setAttribute('webhook.duplicate', true);
    logger.info('invoice event already stored', { invoiceId });
  }
}
