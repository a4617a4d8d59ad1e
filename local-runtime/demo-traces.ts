// Which traces the demo shows for one event, and what each is to it: its own (from the request
// across the queue, or with fan-out across the topic and every subscribed queue), and each
// consumer invocation that received it (Lambda's trace for a batch, where other events' records
// may sit beside it: those are faded, this event's record marked).
import type { BatchReport } from './event-source-mapping';
import type { SpanRecord } from './span-file';
import type { Focus, Trace } from './trace-report';
import { traceIdOfHeader } from './xray-ids';

const MESSAGE_ID = 'messaging.message.id';

/** A delivery's spans by its message id (the producer's send span and the record spans of the one queue carry it). */
export const byMessageId =
  (messageId: string | undefined): Focus =>
  (span) =>
    messageId !== undefined && span.attributes[MESSAGE_ID] === messageId;

/**
 * An event's spans by its id and source (with fan-out each queue gives the event a message id of
 * its own, so the id is what ties the branches together); a span naming no source is /webhook's.
 */
export const byEvent =
  (eventId: string, source: string): Focus =>
  (span) =>
    span.attributes['webhook.event_id'] === eventId && (span.attributes['webhook.source'] ?? 'stripe') === source;

/**
 * The traces this event's spans are on, then the traces of the consumer invocations whose batch
 * held one of its messages (the layer puts its `process <queue>` span on Lambda's trace).
 */
export function tracesOf(isThisEvent: Focus, spans: readonly SpanRecord[], traces: ReadonlyMap<string, Trace>, batches: readonly BatchReport[]): Trace[] {
  const mine = spans.filter(isThisEvent);
  const ids = new Set(mine.map((span) => span.traceId));
  const messageIds = new Set(mine.map((span) => span.attributes[MESSAGE_ID]).filter((id): id is string => typeof id === 'string'));
  for (const batch of batches) {
    if (batch.messages.some((message) => message.MessageId !== undefined && messageIds.has(message.MessageId))) ids.add(traceIdOfHeader(batch.outcome.traceHeader));
  }
  return [...ids].map((id) => traces.get(id)).filter((trace): trace is Trace => trace !== undefined);
}

/** What a trace is to the event: its own, from the request across the queue (or topic), or a consumer invocation's. */
export function captionOf(trace: Trace, isThisEvent: Focus): string {
  const publish = trace.spans.find((span) => span.kind === 'PRODUCER' && isThisEvent(span));
  if (publish) return publish.attributes['messaging.system'] === 'aws.sns' ? 'the request, across the topic and each subscribed queue' : 'the request, across the queue';
  const batch = trace.spans.find((span) => span.kind === 'CONSUMER' && span.name.startsWith('process ') && span.name !== 'process-webhook');
  const size = batch?.attributes['messaging.batch.message_count'] ?? 1;
  return `the consumer invocation that received it (${batch?.service ?? 'consumer'}): Lambda's trace for a batch of ${size}`;
}
