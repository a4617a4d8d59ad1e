// The span names and attributes the end checks rely on, in one place: the runtime that exports the
// spans decides them (the ADOT layer's real code in the local runtime, with its aws-sdk
// instrumentation). When the real layer's names differ, adjust these predicates only.
import type { SpanRecord } from '../local-runtime/span-file';

/** The producer's own send span for an event: PRODUCER, carrying the event id and the SQS message id. */
export const isProducerSend = (span: SpanRecord): boolean => span.kind === 'PRODUCER' && typeof span.attributes['webhook.event_id'] === 'string' && span.name.startsWith('send ');

/** The consumer's span for one record. */
export const isRecordSpan = (span: SpanRecord): boolean => span.name === 'process-webhook';

/** The DynamoDB write made while processing a record (aws-sdk instrumentation: `DynamoDB.PutItem`). */
export const isDynamoWrite = (span: SpanRecord): boolean => span.name === 'DynamoDB.PutItem' || (span.attributes['rpc.service'] === 'DynamoDB' && span.attributes['rpc.method'] === 'PutItem');

export const eventIdOf = (span: SpanRecord): string | undefined => {
  const value = span.attributes['webhook.event_id'];
  return typeof value === 'string' ? value : undefined;
};

export const messageIdOf = (span: SpanRecord): string | undefined => {
  const value = span.attributes['messaging.message.id'];
  return typeof value === 'string' ? value : undefined;
};

/** A record span whose write found the event already stored (a redelivery, deduplicated). */
export const isDuplicateOutcome = (span: SpanRecord): boolean => span.attributes['webhook.duplicate'] === true;

/** A record span whose write stored the item. */
export const isStoredOutcome = (span: SpanRecord): boolean => span.attributes['webhook.duplicate'] === false && span.status !== 'ERROR';
