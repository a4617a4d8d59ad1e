import type { Denial, Refusal } from '../local-runtime/local-aws';
import type { SpanRecord } from '../local-runtime/span-file';
import { accepted, type EventLedger } from './sender';
import { eventIdOf, isDynamoWrite, isProducerSend, isRecordSpan, isStoredOutcome, messageIdOf } from './span-names';

/** The item attributes the checks read. */
export interface StoredItem {
  eventId: string;
  traceId: string;
  processedAt: string;
  messageId: string;
}

export interface SoakEvidence {
  ledgers: readonly EventLedger[];
  stored: ReadonlyMap<string, StoredItem>;
  /** The eventId of every message in the DLQ, one entry per message. */
  deadLettered: readonly string[];
  spans: readonly SpanRecord[];
  /** Messages still in the queue (visible, in flight or delayed) when the checks ran. */
  queueRemaining: number;
  /** What the local AWS endpoint refused: an authorization (IAM, KMS) or a limit AWS applies. Optional for hand-made evidence. */
  denials?: readonly Denial[];
  refusals?: readonly Refusal[];
}

export interface BrokenTrace {
  eventId: string;
  traceId: string;
  reason: string;
}

export interface SoakVerdict {
  /** Accepted and in neither the table nor (poison) the DLQ. */
  lost: string[];
  /** Stored by more than one successful write. */
  doubled: string[];
  /** In the table without ever getting a 200, or poison in the table. */
  storedWithoutAcceptance: string[];
  /** DLQ messages for anything but a poison event. */
  deadLetteredOthers: string[];
  /** Items minus distinct accepted non-poison events (0 when right). */
  itemCountDifference: number;
  /** Checked only for stored events X-Ray sampled: an unsampled webhook has no trace in AWS to break. */
  brokenTraces: BrokenTrace[];
  /** Stored events whose trace X-Ray sampled (checked), and those it did not. */
  sampledStored: number;
  unsampledStored: number;
  /** Calls the local AWS endpoint refused as a real account would (each one is a defect of the deployment). */
  refused: string[];
  /** Record spans whose trace is not the trace their message was sent on. */
  crossWired: number;
  queueRemaining: number;
  acceptedEvents: number;
  acceptedPoison: number;
  /** First send to stored, per stored event. */
  latenciesMs: number[];
}

export const failures = (verdict: SoakVerdict): number =>
  verdict.lost.length +
  verdict.doubled.length +
  verdict.storedWithoutAcceptance.length +
  verdict.deadLetteredOthers.length +
  Math.abs(verdict.itemCountDifference) +
  verdict.brokenTraces.length +
  verdict.refused.length +
  verdict.crossWired +
  verdict.queueRemaining;

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The trace an item names must be one of its event's deliveries and hold the whole path: the
 * producer's send for this event, the consumer's record span for it and, beneath that, its
 * DynamoDB write; nothing in it may belong to another event or message.
 */
export function checkItemTrace(item: StoredItem, traceSpans: readonly SpanRecord[], fanOut = false): string | undefined {
  if (traceSpans.length === 0) return 'no span has the trace id the item carries';
  const foreign = traceSpans.find((span) => eventIdOf(span) !== undefined && eventIdOf(span) !== item.eventId);
  if (foreign) return `cross-wired: span ${foreign.name} of event ${eventIdOf(foreign)} is in this trace`;
  const send = traceSpans.find((span) => isProducerSend(span) && eventIdOf(span) === item.eventId);
  if (!send) return 'no producer send span for this event in its trace';
  const records = traceSpans.filter((span) => isRecordSpan(span) && eventIdOf(span) === item.eventId);
  if (records.length === 0) return 'no process-webhook span for this event in its trace';
  const sentMessage = messageIdOf(send);
  // With fan-out each queue gives its copy of the published message an id of its own: the
  // record spans are tied to the publish by the event id (checked above), not the message id.
  const strayRecord = fanOut ? undefined : records.find((record) => messageIdOf(record) !== sentMessage);
  if (strayRecord) return `cross-wired: a record span for message ${messageIdOf(strayRecord)} is on the trace of message ${sentMessage}`;
  const recordIds = new Set(records.map((record) => record.spanId));
  if (!traceSpans.some((span) => isDynamoWrite(span) && span.parentSpanId !== undefined && recordIds.has(span.parentSpanId))) {
    return 'no DynamoDB write span under the process-webhook span';
  }
  return undefined;
}

/** How the checks read the spans: with fan-out, the record spans of one consumer (its function's service) on publishes to the topic. */
export interface CheckMode {
  fanOut?: boolean;
}

export function checkSoak(evidence: SoakEvidence, mode: CheckMode = {}): SoakVerdict {
  const { ledgers, stored, deadLettered, spans } = evidence;
  const byEvent = new Map(ledgers.map((ledger) => [ledger.event.id, ledger]));
  const acceptedLedgers = ledgers.filter(accepted);
  const poison = new Set(ledgers.filter((ledger) => ledger.event.kind === 'poison').map((ledger) => ledger.event.id));
  const dead = new Set(deadLettered);

  const lost = acceptedLedgers
    .filter((ledger) => (ledger.event.kind === 'poison' ? !dead.has(ledger.event.id) : !stored.has(ledger.event.id)))
    .map((ledger) => ledger.event.id);
  const storedWithoutAcceptance = [...stored.keys()].filter((id) => {
    const ledger = byEvent.get(id);
    return !ledger || !accepted(ledger) || poison.has(id);
  });
  const deadLetteredOthers = deadLettered.filter((id) => !poison.has(id));
  const acceptedStorable = acceptedLedgers.filter((ledger) => ledger.event.kind !== 'poison').length;

  const recordSpans = spans.filter(isRecordSpan);
  const storingWrites = groupBy(recordSpans.filter(isStoredOutcome), eventIdOf);
  const doubled = [...storingWrites.entries()].filter(([, writes]) => writes.length > 1).map(([id]) => id);

  // Every record span continues the trace its message was sent on (with fan-out: one of the
  // traces its event was published on, each delivery of the sender a publish of its own).
  const sendTraceOfMessage = new Map(spans.filter(isProducerSend).map((span) => [messageIdOf(span), span.traceId]));
  const sendTracesOfEvent = groupBy(spans.filter(isProducerSend), eventIdOf);
  const crossWired = recordSpans.filter((span) => {
    if (span.attributes['trace.has_upstream_context'] !== true) return false;
    if (mode.fanOut) {
      const sentOn = sendTracesOfEvent.get(eventIdOf(span) ?? '');
      return sentOn !== undefined && !sentOn.some((send) => send.traceId === span.traceId);
    }
    const sentOn = sendTraceOfMessage.get(messageIdOf(span));
    return sentOn !== undefined && sentOn !== span.traceId;
  }).length;

  const byTrace = groupBy(spans, (span) => span.traceId);
  const brokenTraces: BrokenTrace[] = [];
  const latenciesMs: number[] = [];
  let sampledStored = 0;
  for (const item of stored.values()) {
    const traceSpans = byTrace.get(item.traceId) ?? [];
    // The layer exports unsampled spans too (T1U, for Application Signals), but X-Ray keeps no trace
    // of them: such a webhook has no trace to check. A trace with no span at all is broken.
    const unsampled = traceSpans.length > 0 && traceSpans.every((span) => span.sampled === false);
    if (!unsampled) sampledStored++;
    const reason = unsampled ? undefined : checkItemTrace(item, traceSpans, mode.fanOut);
    if (reason) brokenTraces.push({ eventId: item.eventId, traceId: item.traceId, reason });
    const firstSendAt = byEvent.get(item.eventId)?.firstSendAt;
    const storedAt = Date.parse(item.processedAt);
    if (firstSendAt !== undefined && Number.isFinite(storedAt)) latenciesMs.push(storedAt - firstSendAt);
  }

  return {
    lost,
    doubled,
    storedWithoutAcceptance,
    deadLetteredOthers,
    itemCountDifference: stored.size - acceptedStorable,
    brokenTraces,
    sampledStored,
    unsampledStored: stored.size - sampledStored,
    refused: [...(evidence.denials ?? []).map((denial) => `${denial.action}: ${denial.message}`), ...(evidence.refusals ?? []).map((refusal) => `${refusal.service}.${refusal.operation} ${refusal.code}: ${refusal.message}`)],
    crossWired,
    queueRemaining: evidence.queueRemaining,
    acceptedEvents: acceptedLedgers.length,
    acceptedPoison: acceptedLedgers.length - acceptedStorable,
    latenciesMs,
  };
}

/** The p-th percentile (nearest rank) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** One consumer of a fan-out as the checks see it: what its subscription takes, and what it holds at the end. */
export interface FanOutConsumerEvidence {
  name: string;
  /** Its function's service name: its record spans are the ones with it. */
  service: string;
  /** Whether its subscription's filter takes an event (by type; the soak's events are all /webhook's). */
  takes: (event: EventLedger['event']) => boolean;
  stored: ReadonlyMap<string, StoredItem>;
  deadLettered: readonly string[];
  queueRemaining: number;
}

/**
 * The soak's checks per consumer of a fan-out: each accepted event its filter takes stored
 * exactly once (poison: in its DLQ), nothing else stored there, no broken trace on its branch.
 * The refusals are the deployment's, counted once (on the first consumer).
 */
export function checkFanOut(
  evidence: Pick<SoakEvidence, 'ledgers' | 'spans' | 'denials' | 'refusals'>,
  consumers: readonly FanOutConsumerEvidence[],
): Array<{ consumer: string; verdict: SoakVerdict }> {
  return consumers.map((consumer, index) => ({
    consumer: consumer.name,
    verdict: checkSoak(
      {
        ledgers: evidence.ledgers.filter((ledger) => consumer.takes(ledger.event)),
        stored: consumer.stored,
        deadLettered: consumer.deadLettered,
        // The producer's spans and this consumer's; another branch's record spans are not its.
        spans: evidence.spans.filter((span) => !isRecordSpan(span) || span.service === consumer.service),
        queueRemaining: consumer.queueRemaining,
        ...(index === 0 ? { denials: evidence.denials ?? [], refusals: evidence.refusals ?? [] } : {}),
      },
      { fanOut: true },
    ),
  }));
}
