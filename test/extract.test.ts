import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { extractUpstreamContext } from '../functions/lib/extract';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaRecord, stringAttribute } from './support/records';

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const SPAN_ID = '53995c3f42cd8ad8';
const XRAY = `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN_ID};Sampled=1`;
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('extractUpstreamContext', () => {
  let otel: OtelHarness;
  afterEach(async () => otel.shutdown());

  it('reads the X-Ray attribute through the global X-Ray propagator', () => {
    otel = installOtel(['xray']);
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) } }));
    expect(upstream?.spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(upstream?.source).toBe('message_attributes');
  });

  it('reads traceparent through the global W3C propagator', () => {
    otel = installOtel(['tracecontext']);
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { traceparent: stringAttribute(TRACEPARENT) } }));
    expect(upstream?.spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
    expect(upstream?.source).toBe('message_attributes');
  });

  it('accepts the capitalised X-Amzn-Trace-Id written by non-TypeScript producers', () => {
    otel = installOtel(['xray']);
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { 'X-Amzn-Trace-Id': stringAttribute(XRAY) } }));
    expect(upstream?.spanContext.traceId).toBe(TRACE_ID);
  });

  it('reads an X-Ray attribute even when the consumer is configured for W3C only', () => {
    otel = installOtel(['tracecontext']);
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { 'X-Amzn-Trace-Id': stringAttribute(XRAY) } }));
    expect(upstream).toMatchObject({ source: 'message_attributes_xray', spanContext: { traceId: TRACE_ID } });
  });

  it('falls back to the AWSTraceHeader system attribute', () => {
    otel = installOtel(['tracecontext']);
    const upstream = extractUpstreamContext(lambdaRecord({ awsTraceHeader: XRAY }));
    expect(upstream).toMatchObject({ source: 'aws_trace_header', spanContext: { traceId: TRACE_ID, spanId: SPAN_ID } });
  });

  it('prefers the message attributes over AWSTraceHeader', () => {
    otel = installOtel(['xray']);
    const other = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) }, awsTraceHeader: other }));
    expect(upstream?.spanContext.traceId).toBe(TRACE_ID);
  });

  it('falls back to traceparent under the default xray propagator (a producer on OpenTelemetry defaults)', () => {
    otel = installOtel(['xray']);
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { traceparent: stringAttribute(TRACEPARENT) } }));
    expect(upstream).toMatchObject({ source: 'message_attributes_w3c', spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true } });
  });

  it('keeps the W3C flags as sent, the random-trace-id bit (02/03) included: only bit 0 means sampled', () => {
    otel = installOtel(['xray']);
    const record = lambdaRecord({ messageAttributes: { traceparent: stringAttribute(`00-${TRACE_ID}-${SPAN_ID}-03`) } });
    expect(extractUpstreamContext(record)).toMatchObject({ source: 'message_attributes_w3c', spanContext: { traceFlags: 3 } });
    const unsampled = lambdaRecord({ messageAttributes: { traceparent: stringAttribute(`00-${TRACE_ID}-${SPAN_ID}-02`) } });
    expect(extractUpstreamContext(unsampled)).toMatchObject({ source: 'message_attributes_w3c', spanContext: { traceId: TRACE_ID, traceFlags: 2 } });
  });

  // A traceparent and an AWSTraceHeader naming different traces: AWSTraceHeader wins under xray,
  // because the layer's batch-level `process <queue>` span links to it and X-Ray's own SQS linking
  // reads it, so the record's span lands on the trace those already show.
  it('prefers AWSTraceHeader over a conflicting traceparent under xray', () => {
    otel = installOtel(['xray']);
    const other = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { traceparent: stringAttribute(TRACEPARENT) }, awsTraceHeader: other }));
    expect(upstream).toMatchObject({ source: 'aws_trace_header', spanContext: { traceId: '11111111222222222222222222222222', spanId: '3333333333333333' } });
  });

  it('lets a consumer configured for W3C read traceparent first (its global propagator)', () => {
    otel = installOtel(['tracecontext', 'xray']);
    const other = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
    const upstream = extractUpstreamContext(lambdaRecord({ messageAttributes: { traceparent: stringAttribute(TRACEPARENT) }, awsTraceHeader: other }));
    expect(upstream).toMatchObject({ source: 'message_attributes', spanContext: { traceId: TRACE_ID } });
  });

  it('returns undefined when the message carries no context', () => {
    otel = installOtel(['xray', 'tracecontext']);
    expect(extractUpstreamContext(lambdaRecord())).toBeUndefined();
  });

  it.each([
    ['a truncated X-Ray header', { 'x-amzn-trace-id': stringAttribute('Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8;Sampled=1') }],
    ['an X-Ray header without Parent', { 'x-amzn-trace-id': stringAttribute('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1') }],
    ['garbage traceparent', { traceparent: stringAttribute('not-a-traceparent') }],
    ['an all-zero trace id', { traceparent: stringAttribute(`00-${'0'.repeat(32)}-${SPAN_ID}-01`) }],
  ])('treats %s as no context', (_label, messageAttributes) => {
    otel = installOtel(['xray', 'tracecontext']);
    expect(extractUpstreamContext(lambdaRecord({ messageAttributes }))).toBeUndefined();
  });

  it('returns an unsampled upstream like a sampled one, its flags kept (the runner honours it)', () => {
    otel = installOtel(['xray', 'tracecontext']);
    const unsampled = { traceparent: stringAttribute(`00-${TRACE_ID}-${SPAN_ID}-00`), 'x-amzn-trace-id': stringAttribute(XRAY.replace('Sampled=1', 'Sampled=0')) };
    expect(extractUpstreamContext(lambdaRecord({ messageAttributes: unsampled }))).toMatchObject({
      source: 'message_attributes',
      spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, isRemote: true },
    });
  });

  it('takes the first valid source even when it is unsampled and a later one is sampled', () => {
    otel = installOtel(['tracecontext']);
    const sampledHeader = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
    const record = lambdaRecord({ messageAttributes: { traceparent: stringAttribute(`00-${TRACE_ID}-${SPAN_ID}-00`) }, awsTraceHeader: sampledHeader });
    expect(extractUpstreamContext(record)).toMatchObject({ source: 'message_attributes', spanContext: { traceId: TRACE_ID, traceFlags: 0 } });
  });

  it('builds on ROOT_CONTEXT, not on the active context', () => {
    otel = installOtel(['xray']);
    const marker = Symbol.for('test-marker');
    const invocation = trace.getTracer('test').startSpan('invocation');
    const ambient = trace.setSpan(ROOT_CONTEXT.setValue(marker, 'ambient'), invocation);
    const record = lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) } });
    const upstream = context.with(ambient, () => extractUpstreamContext(record));
    // A context from extraction carries only what came with the message.
    expect(upstream?.context.getValue(marker)).toBeUndefined();
    expect(trace.getSpanContext(upstream!.context)?.spanId).toBe(SPAN_ID);
    invocation.end();
  });

  it('keeps baggage that came with the message', () => {
    otel = installOtel(['tracecontext', 'baggage']);
    const upstream = extractUpstreamContext(
      lambdaRecord({ messageAttributes: { traceparent: stringAttribute(TRACEPARENT), baggage: stringAttribute('tenant=acme') } }),
    );
    expect(propagation.getBaggage(upstream!.context)?.getEntry('tenant')?.value).toBe('acme');
  });
});
