// BASELINE - NOT PART OF THE PRODUCT. The Lambda entry point of the Powertools baseline consumer
// (bench/baseline/consumer.mjs), bundled with the same esbuild settings as functions/*/index.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createBaselineConsumerHandler } from './consumer.mjs';

const tableName = process.env.TABLE_NAME;
const idempotencyTableName = process.env.IDEMPOTENCY_TABLE_NAME;
if (!tableName || !idempotencyTableName) throw new Error('TABLE_NAME and IDEMPOTENCY_TABLE_NAME are required');

export const handler = createBaselineConsumerHandler({ tableName, idempotencyTableName, dynamodb: new DynamoDBClient({}) });
