// ============================================================================================
// BASELINE - NOT PART OF THE PRODUCT. Benchmark comparison only.
//
// The consumer a team would build today with AWS Lambda Powertools for TypeScript instead of
// this project: `BatchProcessor` + `processPartialResponse` (EventType.SQS) for partial batch
// failures, and `@aws-lambda-powertools/idempotency` on DynamoDB (DynamoDBPersistenceLayer)
// keyed on the Stripe event's `eventId` for de-duplication. It does the same work as
// functions/consumer: parse the body, check it has an eventId, and write the same item with
// the same conditional PutItem. It has no tracing across the queue (Powertools' Tracer is X-Ray
// SDK based and does not propagate through SQS), so the item has no `traceId`.
// ============================================================================================
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * @param {{ tableName: string, idempotencyTableName: string, dynamodb: import('@aws-sdk/client-dynamodb').DynamoDBClient, now?: () => number }} deps
 */
export function createBaselineConsumerHandler({ tableName, idempotencyTableName, dynamodb, now = Date.now }) {
  const processor = new BatchProcessor(EventType.SQS);
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: idempotencyTableName, awsSdkV3Client: dynamodb });
  // The idempotency key is the Stripe event id (Stripe redelivers the same event in new messages).
  const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'eventId' });

  const storeOnce = makeIdempotent(
    async (body, record) => {
      const item = {
        eventId: body.eventId,
        type: typeof body.type === 'string' ? body.type : 'unknown',
        payload: JSON.stringify(body.payload ?? null),
        receivedAt: typeof body.receivedAt === 'string' ? body.receivedAt : new Date(Number(record.attributes.SentTimestamp) || now()).toISOString(),
        processedAt: new Date(now()).toISOString(),
        messageId: record.messageId,
      };
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }])),
            ConditionExpression: 'attribute_not_exists(eventId)',
          }),
        );
        return { eventId: body.eventId, outcome: 'stored' };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { eventId: body.eventId, outcome: 'duplicate' };
        throw error;
      }
    },
    { persistenceStore, config: idempotencyConfig },
  );

  const recordHandler = async (record) => {
    const body = JSON.parse(record.body);
    if (typeof body !== 'object' || body === null || typeof body.eventId !== 'string' || body.eventId === '') {
      throw new Error('message body has no string eventId');
    }
    return storeOnce(body, record);
  };

  return async (event, context) => {
    idempotencyConfig.registerLambdaContext(context);
    return processPartialResponse(event, recordHandler, processor, { context });
  };
}
