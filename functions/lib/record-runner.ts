import {
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ATTR, MESSAGING_SYSTEM_SQS, TRACER_NAME, queueNameFromArn } from './attributes.js';
import { deliveryAttributes } from './delivery.js';
import { extractUpstreamContext, type UpstreamContext } from './extract.js';
import { createLogger, type LogFields, type Logger } from './logger.js';
import { snsEnvelopeOf, unwrapSnsEnvelope, type SnsEnvelope } from './sns-envelope.js';

/**
 * `parent`: a record's span continues its producer's trace and links to the invocation.
 * `link`: it is a child of the invocation and links to the producer (the spec's default for batches).
 */
export type TraceLinkMode = 'parent' | 'link';

export interface RecordScope {
  /** The record's span; add attributes to it, the runner ends it and sets its status. */
  span: Span;
  /** The context the work runs in (the record's span is active in it). */
  context: Context;
  /** A logger whose lines carry this record's trace and message id. */
  logger: Logger;
  /** What came with the message, when it carried a usable context. */
  upstream: UpstreamContext | undefined;
  /** The SNS notification the record's body held (a subscription without raw message delivery), else undefined. */
  envelope: SnsEnvelope | undefined;
  /**
   * Adds fields (e.g. the event id, once the body is read) to this record's later lines, the
   * runner's own failure line included, so one query by event id finds every attempt.
   */
  annotate(fields: LogFields): Logger;
}

export type RecordWork = (record: SQSRecord, scope: RecordScope) => Promise<void>;

/**
 * Records processed at once when the caller does not say: the consumer's default DynamoDB socket
 * pool (functions/consumer/config.ts), so a batch is not held back below what its client can send.
 */
export const DEFAULT_MAX_CONCURRENCY = 128;

export interface BatchOptions {
  /** Default `parent`. */
  linkMode?: TraceLinkMode;
  /** How many records are processed at once (never more than the batch has). Default 128. */
  maxConcurrency?: number;
  /** Each record's span name. Default `process <queue name>` (the messaging conventions' name; `process` when the record has no `eventSourceARN`). */
  spanName?: string;
  /** Default `trace.getTracer('@webhook-tracing/sqs-otel')`. */
  tracer?: Tracer;
  /** Default JSON lines on stdout (`createLogger()`). */
  logger?: Logger;
  /**
   * Whether the runner writes one ERROR line per failed record (`record failed; it will be
   * retried`, with the error's name and message, the record's trace and message id). Default
   * true: the batch response alone names no error. Turn it off when your work logs its own.
   */
  logFailures?: boolean;
  /** The clock the queue wait is measured with (epoch milliseconds); tests pin it. */
  now?: () => number;
  /**
   * What the work gets for a record whose body is an SNS notification envelope (an SNS
   * subscription without raw message delivery). `unwrap` (default): the record with the
   * envelope's `Message` as its body and its `MessageAttributes` as its message attributes, as
   * the publisher sent them, so one work function serves raw and enveloped subscriptions alike.
   * `keep`: the record as SQS delivered it (the envelope is still in `scope.envelope`). Context
   * is read from the envelope either way.
   */
  snsEnvelope?: 'unwrap' | 'keep';
}

/** The messaging conventions' span name for processing a message: `process <destination>`. */
function processSpanName(queueName: string): string {
  return queueName === '' ? 'process' : `process ${queueName}`;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Runs `worker` over `items` with at most `limit` in flight, keeping no result. */
export async function forEachBounded<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * Processes an SQS batch record by record: one CONSUMER span per record, placed on the record's
 * own upstream trace (never one context for the whole batch), the work run inside that span's
 * context, and a failure recorded on the span and reported in `batchItemFailures` so only that
 * record is retried. Never throws for a record's failure.
 */
export async function processSqsBatch(event: SQSEvent, work: RecordWork, options: BatchOptions = {}): Promise<SQSBatchResponse> {
  const linkMode = options.linkMode ?? 'parent';
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const spanName = options.spanName;
  const logFailures = options.logFailures ?? true;
  const baseLogger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const unwrap = (options.snsEnvelope ?? 'unwrap') === 'unwrap';
  // Captured once, before any record's context is entered: the invocation (batch) context.
  const invocationContext = otelContext.active();
  const invocationSpan = trace.getSpan(invocationContext);
  const invocationLink: Link[] =
    invocationSpan && isSpanContextValid(invocationSpan.spanContext()) ? [{ context: invocationSpan.spanContext() }] : [];

  const failures: SQSBatchItemFailure[] = [];
  // A batch comes from one queue: its name is derived once, not per record.
  let lastArn: string | undefined;
  let lastQueueName = '';
  const queueName = (arn = ''): string => {
    if (arn !== lastArn) {
      lastArn = arn;
      lastQueueName = queueNameFromArn(arn);
    }
    return lastQueueName;
  };

  const runRecord = async (record: SQSRecord) => {
    let span: Span | undefined;
    let logger: Logger | undefined;
    try {
      const upstream = extractUpstreamContext(record);
      const envelope = snsEnvelopeOf(record);
      const destination = queueName(record.eventSourceARN);
      const attributes: Attributes = {
        [ATTR.messagingSystem]: MESSAGING_SYSTEM_SQS,
        [ATTR.messagingOperationType]: 'process',
        [ATTR.messagingMessageId]: record.messageId,
        [ATTR.messagingDestinationName]: destination,
        [ATTR.traceHasUpstreamContext]: upstream !== undefined,
        ...deliveryAttributes(record, now()),
      };
      if (upstream) attributes[ATTR.traceUpstreamSource] = upstream.source;
      if (envelope) attributes[ATTR.snsTopicArn] = envelope.topicArn;

      // No upstream: a child of the invocation (the ambient span, which the messaging conventions
      // make the parent of every process span), so the record shares the invocation's sampling
      // decision instead of starting a trace per message; flagged trace.has_upstream_context=false.
      let parent = invocationContext;
      let links: Link[] = [];
      if (upstream && linkMode === 'parent') {
        parent = upstream.context;
        links = invocationLink;
      } else if (upstream) {
        links = [{ context: upstream.spanContext }];
      }
      span = tracer.startSpan(spanName ?? processSpanName(destination), { kind: SpanKind.CONSUMER, attributes, links }, parent);
      const recordContext = trace.setSpan(parent, span);
      const recordLogger = baseLogger.child({ messageId: record.messageId }, recordContext);
      logger = recordLogger;
      const scope: RecordScope = {
        span,
        context: recordContext,
        logger: recordLogger,
        upstream,
        envelope,
        annotate: (fields) => {
          // Also the runner's own failure line below, so one query by event id finds every attempt.
          const annotated = (logger ?? recordLogger).child(fields);
          logger = annotated;
          return annotated;
        },
      };
      const delivered = envelope && unwrap ? unwrapSnsEnvelope(record, envelope) : record;
      await otelContext.with(recordContext, () => work(delivered, scope));
    } catch (thrown) {
      const error = asError(thrown);
      span?.recordException(error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      failures.push({ itemIdentifier: record.messageId });
      // Without a span yet (its setup threw), the line carries the message id and no trace.
      if (logFailures) (logger ?? baseLogger.child({ messageId: record.messageId })).error('record failed; it will be retried', { error });
    } finally {
      span?.end();
    }
  };

  await forEachBounded(event.Records ?? [], options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, runRecord);
  // Report failures in delivery order so the response is stable whatever finished first.
  if (failures.length > 1) {
    const order = new Map((event.Records ?? []).map((record, index) => [record.messageId, index]));
    failures.sort((a, b) => (order.get(a.itemIdentifier) ?? 0) - (order.get(b.itemIdentifier) ?? 0));
  }
  return { batchItemFailures: failures };
}
