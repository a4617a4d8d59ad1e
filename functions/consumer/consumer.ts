import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { trace } from '@opentelemetry/api';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ATTR } from '../lib/attributes';
import { createLogger, type Logger } from '../lib/logger';
import { processSqsBatch, type RecordScope } from '../lib/record-runner';
import { PIPELINE_TRACER_NAME, RECORD_SPAN_NAME, WEBHOOK_SOURCE_ATTRIBUTE } from '../telemetry-names';
import type { ConsumerConfig } from './config';
import { storeWebhookOnce } from './event-store';
import { readRecord, sentAt } from './queued-webhook';

export { InvalidRecordError } from './queued-webhook';

export interface ConsumerDependencies {
  config: ConsumerConfig;
  dynamodb: Pick<DynamoDBClient, 'send'>;
  logger?: Logger;
  now?: () => number;
}

export type ConsumerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createConsumerHandler(deps: ConsumerDependencies): ConsumerHandler {
  const { config, dynamodb } = deps;
  const logger = deps.logger ?? createLogger({ component: 'consumer' });
  const now = deps.now ?? Date.now;

  const processRecord = async (record: SQSRecord, { span, annotate }: RecordScope) => {
    const webhook = readRecord(record);
    const { key, eventId, type, source } = webhook;
    span.setAttributes({ [ATTR.webhookEventId]: eventId, [ATTR.webhookType]: type, ...(source ? { [WEBHOOK_SOURCE_ATTRIBUTE]: source } : {}) });
    const log = annotate(source ? { eventId, source } : { eventId });
    const outcome = await storeWebhookOnce(dynamodb, config.tableName, {
      eventId: key,
      type,
      ...(source ? { source } : {}),
      ...(key !== eventId ? { sourceEventId: eventId } : {}),
      payload: webhook.payload,
      receivedAt: webhook.receivedAt ?? sentAt(record) ?? new Date(now()).toISOString(),
      processedAt: new Date(now()).toISOString(),
      messageId: record.messageId,
      traceId: span.spanContext().traceId,
    });
    span.setAttribute(ATTR.webhookDuplicate, outcome === 'duplicate');
    if (outcome === 'duplicate') log.info('duplicate webhook ignored: already stored', { type });
    else log.info('webhook stored', { type });
  };

  const tracer = trace.getTracer(PIPELINE_TRACER_NAME);
  return (event) =>
    processSqsBatch(event, processRecord, { linkMode: config.linkMode, maxConcurrency: config.maxConcurrency, logger, tracer, spanName: RECORD_SPAN_NAME });
}
