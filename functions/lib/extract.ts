import {
  ROOT_CONTEXT,
  TraceFlags,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { SQSRecord } from 'aws-lambda';
import { sqsAttributesGetter } from './sqs-carrier';

/** Where a record's upstream context was found. */
export type UpstreamSource = 'message_attributes' | 'message_attributes_xray' | 'aws_trace_header';

export interface UpstreamContext {
  /** A context holding only what came with the message (remote span, baggage), built on ROOT_CONTEXT. */
  context: Context;
  spanContext: SpanContext;
  source: UpstreamSource;
}

/** The parts of a Lambda SQS record that carry trace context. */
export type TracedRecord = Pick<SQSRecord, 'messageAttributes'> & {
  attributes?: Partial<SQSRecord['attributes']>;
};

const xrayPropagator = new AWSXRayPropagator();

function usable(ctx: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  // An unsampled upstream is treated as absent: parenting to it would hide this span.
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== TraceFlags.SAMPLED) return undefined;
  return spanContext;
}

type Attempt = (attributes: NonNullable<TracedRecord['messageAttributes']>, record: TracedRecord) => Context;

// Built once, not per record: the order in which a record's context is looked for.
const ATTEMPTS: ReadonlyArray<readonly [UpstreamSource, Attempt]> = [
  ['message_attributes', (attributes) => propagation.extract(ROOT_CONTEXT, attributes, sqsAttributesGetter)],
  ['message_attributes_xray', (attributes) => xrayPropagator.extract(ROOT_CONTEXT, attributes, sqsAttributesGetter)],
  [
    'aws_trace_header',
    (_attributes, record) => {
      const header = record.attributes?.AWSTraceHeader;
      return header ? xrayPropagator.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, plainGetter) : ROOT_CONTEXT;
    },
  ],
];

/**
 * The upstream context of one record, or undefined when it has none that is valid and sampled.
 *
 * Tried in order: the global propagator over the message attributes (whatever OTEL_PROPAGATORS
 * configured); an explicit X-Ray propagator over the same attributes (a producer in another
 * language may write `X-Amzn-Trace-Id` while this consumer is configured for W3C); the
 * `AWSTraceHeader` system attribute. Always extracted onto ROOT_CONTEXT, so "nothing upstream"
 * can never silently become "parented to the invocation". Never throws.
 */
export function extractUpstreamContext(record: TracedRecord): UpstreamContext | undefined {
  const attributes = record.messageAttributes ?? {};
  for (const [source, attempt] of ATTEMPTS) {
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
