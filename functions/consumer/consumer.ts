import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ATTR } from '../lib/attributes';
import { createLogger, type Logger } from '../lib/logger';
import { processSqsBatch, type RecordScope } from '../lib/record-runner';
import type { ConsumerConfig } from './config';
import { storeWebhookOnce } from './event-store';

export interface ConsumerDependencies {
  config: ConsumerConfig;
  dynamodb: Pick<DynamoDBClient, 'send'>;
  logger?: Logger;
  now?: () => number;
}

export type ConsumerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

interface QueuedWebhookBody {
  eventId: string;
  type?: unknown;
  receivedAt?: unknown;
  payload?: unknown;
}

/** A record the consumer cannot process; it fails, is retried, and ends in the DLQ. */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

function parseBody(record: SQSRecord): QueuedWebhookBody {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidRecordError('message body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || typeof (body as QueuedWebhookBody).eventId !== 'string' || (body as QueuedWebhookBody).eventId === '') {
    throw new InvalidRecordError('message body has no string eventId');
  }
  return body as QueuedWebhookBody;
}

export function createConsumerHandler(deps: ConsumerDependencies): ConsumerHandler {
  const { config, dynamodb } = deps;
  const logger = deps.logger ?? createLogger({ component: 'consumer' });
  const now = deps.now ?? Date.now;

  const processRecord = async (record: SQSRecord, { span, annotate }: RecordScope) => {
    const body = parseBody(record);
    const type = typeof body.type === 'string' ? body.type : 'unknown';
    span.setAttributes({ [ATTR.webhookEventId]: body.eventId, [ATTR.webhookType]: type });
    const log = annotate({ eventId: body.eventId });
    const outcome = await storeWebhookOnce(dynamodb, config.tableName, {
      eventId: body.eventId,
      type,
      payload: JSON.stringify(body.payload ?? null),
      receivedAt: typeof body.receivedAt === 'string' ? body.receivedAt : new Date(Number(record.attributes.SentTimestamp) || now()).toISOString(),
      processedAt: new Date(now()).toISOString(),
      messageId: record.messageId,
      traceId: span.spanContext().traceId,
    });
    span.setAttribute(ATTR.webhookDuplicate, outcome === 'duplicate');
    if (outcome === 'duplicate') log.info('duplicate webhook ignored: already stored', { type });
    else log.info('webhook stored', { type });
  };

  return (event) => processSqsBatch(event, processRecord, { linkMode: config.linkMode, maxConcurrency: config.maxConcurrency, logger });
}
