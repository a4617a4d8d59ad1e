import {
  ROOT_CONTEXT,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
// The propagator's own module, not the package index: core's CommonJS index pulls in the whole
// package (about 27 KB more in a bundle); this file only needs the API, TraceState and
// suppress-tracing. Named with its extension so Node's ESM loader finds it too (core has no
// `exports` map, so the path is allowed, and core is a dependency of this package).
import { W3CTraceContextPropagator } from '@opentelemetry/core/build/src/trace/W3CTraceContextPropagator.js';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { SQSRecord } from 'aws-lambda';
import { snsEnvelopeOf } from './sns-envelope.js';
import { sqsAttributesGetter } from './sqs-carrier.js';

/**
 * Where a record's upstream context was found (the span attribute `trace.upstream_source`): the
 * SQS message attributes (a direct send, or SNS with raw message delivery, which turns the
 * published message attributes into SQS ones), the `MessageAttributes` of the SNS envelope in the
 * body (SNS without raw message delivery: `sns_*`), or the `AWSTraceHeader` system attribute.
 */
export type UpstreamSource =
  | 'message_attributes'
  | 'message_attributes_xray'
  | 'aws_trace_header'
  | 'message_attributes_w3c'
  | 'sns_message_attributes'
  | 'sns_message_attributes_xray'
  | 'sns_message_attributes_w3c';

export interface UpstreamContext {
  /** A context holding only what came with the message (remote span, baggage), built on ROOT_CONTEXT. */
  context: Context;
  spanContext: SpanContext;
  source: UpstreamSource;
}

/** The parts of a Lambda SQS record that carry trace context (the body only when it is an SNS envelope). */
export type TracedRecord = Pick<SQSRecord, 'messageAttributes'> & {
  attributes?: Partial<SQSRecord['attributes']>;
  body?: string;
};

// Pure: a bundle that never reads or writes a header can drop it.
const xrayPropagator = /* @__PURE__ */ new AWSXRayPropagator();
const w3cPropagator = /* @__PURE__ */ new W3CTraceContextPropagator();

/**
 * A context is usable when its span context is valid. Sampled or not does not matter: an
 * unsampled producer decided not to record this trace, and honouring that context (as parent or
 * link) carries the decision across the queue, as it would across an HTTP call, instead of
 * starting the record over on the invocation's trace.
 */
function usable(ctx: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

type Attempt = (attributes: NonNullable<TracedRecord['messageAttributes']>, record: TracedRecord) => Context;

const fromAwsTraceHeader: Attempt = (_attributes, record) => {
  const header = record.attributes?.AWSTraceHeader;
  return header ? xrayPropagator.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, plainGetter) : ROOT_CONTEXT;
};

/** The order in which context is looked for among some attributes, the names saying where they came from. */
function attemptsOver(names: readonly [UpstreamSource, UpstreamSource, UpstreamSource]): ReadonlyArray<readonly [UpstreamSource, Attempt]> {
  const [global, xray, w3c] = names;
  return [
    [global, (attributes) => propagation.extract(ROOT_CONTEXT, attributes, sqsAttributesGetter)],
    [xray, (attributes) => xrayPropagator.extract(ROOT_CONTEXT, attributes, sqsAttributesGetter)],
    ['aws_trace_header', fromAwsTraceHeader],
    [w3c, (attributes) => w3cPropagator.extract(ROOT_CONTEXT, attributes, sqsAttributesGetter)],
  ];
}

// Built once, not per record: the order in which a record's context is looked for, over the SQS
// message attributes, or over the envelope's when SNS wrapped the message (no raw delivery). SNS
// sets AWSTraceHeader for its subscribed queues from the publisher's X-Ray header: the fallback
// either way.
const ATTEMPTS = /* @__PURE__ */ attemptsOver(['message_attributes', 'message_attributes_xray', 'message_attributes_w3c']);
const SNS_ENVELOPE_ATTEMPTS = /* @__PURE__ */ attemptsOver(['sns_message_attributes', 'sns_message_attributes_xray', 'sns_message_attributes_w3c']);

/**
 * The upstream context of one record, or undefined when it has none that is valid. An unsampled
 * context is valid (see `usable`); a malformed header is skipped like a missing one.
 *
 * Tried in order, the first valid one wins:
 * 1. `message_attributes`: the global propagator (OTEL_PROPAGATORS) over the message attributes;
 * 2. `message_attributes_xray`: an explicit X-Ray propagator over the same attributes (a producer
 *    in another language may write `X-Amzn-Trace-Id` while this consumer is configured for W3C);
 * 3. `aws_trace_header`: the `AWSTraceHeader` system attribute;
 * 4. `message_attributes_w3c`: an explicit W3C propagator over the attributes (a producer on
 *    OpenTelemetry's defaults writes only `traceparent`; X-Ray accepts W3C trace ids).
 * `AWSTraceHeader` comes before the W3C fallback because it is what the layer's batch-level
 * `process <queue>` span links to and what X-Ray's own SQS-to-Lambda linking reads: when the two
 * disagree, the record's span lands on the trace those show. A consumer configured for W3C reads
 * `traceparent` first, in step 1, by its own choice.
 * When the body is an SNS notification envelope (a subscription without raw message delivery), the
 * same order runs over the envelope's `MessageAttributes` instead, as `sns_message_attributes`,
 * `sns_message_attributes_xray`, `aws_trace_header`, `sns_message_attributes_w3c`.
 * Always extracted onto ROOT_CONTEXT, so the result holds only what came with the message: the
 * invocation's span is never mistaken for an upstream one (what a record without one is parented
 * to is the runner's decision, flagged on its span). Never throws.
 */
export function extractUpstreamContext(record: TracedRecord): UpstreamContext | undefined {
  const envelope = snsEnvelopeOf(record);
  const attributes = envelope ? envelope.messageAttributes : (record.messageAttributes ?? {});
  for (const [source, attempt] of envelope ? SNS_ENVELOPE_ATTEMPTS : ATTEMPTS) {
    let ctx: Context;
    try {
      ctx = attempt(attributes, record);
    } catch {
      continue;
    }
    const spanContext = usable(ctx);
    if (spanContext) return { context: ctx, spanContext, source };
  }
  return undefined;
}

const plainGetter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};
