// The team's own consumer: the module deploys it (consumer_package_path) in place of the
// built-in one. Per-record spans on each producer's trace and partial batch failures come from
// @webhook-tracing/sqs-otel; the code here is only about invoices.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { assertTracingReady, processSqsBatch } from '@webhook-tracing/sqs-otel';
import { handleInvoiceRecord } from './invoices';

assertTracingReady();

const tableName = process.env.INVOICES_TABLE;
if (!tableName) throw new Error('INVOICES_TABLE is required (set it through the module\'s consumer_environment_variables)');
const dynamodb = new DynamoDBClient({});

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  processSqsBatch(event, (record, scope) => handleInvoiceRecord(dynamodb, tableName, record.body, scope), { spanName: 'process-invoice' });
