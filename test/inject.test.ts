import { ROOT_CONTEXT, propagation, trace, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { injectTraceContext, xrayTraceHeader } from '../functions/lib/inject';
import { createLogger } from '../functions/lib/logger';
import type { SdkMessageAttributes } from '../functions/lib/sqs-carrier';
import { installOtel, type OtelHarness } from './support/otel';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({}, (line) => lines.push(JSON.parse(line))) };
}

function filler(count: number): SdkMessageAttributes {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`app-${i}`, { DataType: 'String', StringValue: `v${i}` }]));
}

/** A real propagator of the kind a vendor might add: it emits extra fields, one of them empty. */
class VendorPropagator implements TextMapPropagator {
  inject(_ctx: Context, carrier: unknown, setter: TextMapSetter) {
    setter.set(carrier, 'vendor-empty', '');
    setter.set(carrier, 'vendor-id', 'v-1');
  }
  extract(ctx: Context) {
    return ctx;
  }
  fields() {
    return ['vendor-empty', 'vendor-id'];
  }
}

describe('injectTraceContext', () => {
  let otel: OtelHarness;
  afterEach(async () => otel.shutdown());

  function activeSpanContext(): Context {
    const span = trace.getTracer('test').startSpan('producer');
    return trace.setSpan(ROOT_CONTEXT, span);
  }

  it('writes the X-Ray header when the global propagator is X-Ray', () => {
    otel = installOtel(['xray']);
    const ctx = activeSpanContext();
    const attributes: SdkMessageAttributes = {};
    const result = injectTraceContext(attributes, ctx);
    const spanContext = trace.getSpanContext(ctx)!;
    expect(result.written).toEqual(['x-amzn-trace-id']);
    expect(attributes['x-amzn-trace-id']?.StringValue).toBe(
      `Root=1-${spanContext.traceId.slice(0, 8)}-${spanContext.traceId.slice(8)};Parent=${spanContext.spanId};Sampled=1`,
    );
  });

  it('writes every field of a composite propagator (baggage, tracecontext, xray)', () => {
    otel = installOtel(['baggage', 'tracecontext', 'xray']);
    const ctx = propagation.setBaggage(activeSpanContext(), propagation.createBaggage({ tenant: { value: 'acme' } }));
    const attributes: SdkMessageAttributes = {};
    injectTraceContext(attributes, ctx);
    expect(Object.keys(attributes).sort()).toEqual(['baggage', 'traceparent', 'x-amzn-trace-id']);
    expect(attributes.baggage?.StringValue).toBe('tenant=acme');
    expect(attributes.traceparent?.StringValue).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('never writes an empty value, whatever a propagator emits', () => {
    otel = installOtel(['xray']);
    propagation.disable();
    propagation.setGlobalPropagator(new VendorPropagator());
    const attributes: SdkMessageAttributes = {};
    injectTraceContext(attributes, activeSpanContext());
    expect(attributes).toEqual({ 'vendor-id': { DataType: 'String', StringValue: 'v-1' } });
  });

  it('keeps what fits within 10 attributes, in priority order, and warns about the rest', () => {
    otel = installOtel(['baggage', 'tracecontext', 'xray']);
    const ctx = propagation.setBaggage(activeSpanContext(), propagation.createBaggage({ tenant: { value: 'acme' } }));
    const attributes = filler(8);
    const { lines, logger } = capturingLogger();
    const result = injectTraceContext(attributes, ctx, logger);
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(result.written).toEqual(['x-amzn-trace-id', 'traceparent']);
    expect(result.dropped).toEqual(['baggage']);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', droppedFields: ['baggage'] })]);
  });

  it('warns and still sends when no field fits', () => {
    otel = installOtel(['xray']);
    const attributes = filler(10);
    const { lines, logger } = capturingLogger();
    const result = injectTraceContext(attributes, activeSpanContext(), logger);
    expect(result).toEqual({ written: [], dropped: ['x-amzn-trace-id'] });
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(lines[0]).toMatchObject({ level: 'WARN', message: expect.stringContaining('AWSTraceHeader') });
  });

  it('replacing an existing field of the same name costs no extra slot', () => {
    otel = installOtel(['xray']);
    const attributes = { ...filler(9), 'X-Amzn-Trace-Id': { DataType: 'String', StringValue: 'stale' } };
    const result = injectTraceContext(attributes, activeSpanContext());
    expect(result.dropped).toEqual([]);
    expect(Object.keys(attributes)).toHaveLength(10);
    expect(attributes['x-amzn-trace-id' as keyof typeof attributes]?.StringValue).toMatch(/^Root=1-/);
  });

  it('does not throw when the propagator throws, and says so', () => {
    otel = installOtel(['xray']);
    propagation.disable();
    propagation.setGlobalPropagator({
      inject: () => {
        throw new Error('broken propagator');
      },
      extract: (ctx) => ctx,
      fields: () => [],
    });
    const { lines, logger } = capturingLogger();
    expect(injectTraceContext({}, activeSpanContext(), logger)).toEqual({ written: [], dropped: [] });
    expect(lines[0]).toMatchObject({ level: 'WARN', error: { message: 'broken propagator' } });
  });

  it('writes nothing without a valid span', () => {
    otel = installOtel(['xray', 'tracecontext']);
    const attributes: SdkMessageAttributes = {};
    expect(injectTraceContext(attributes, ROOT_CONTEXT).written).toEqual([]);
    expect(attributes).toEqual({});
    expect(xrayTraceHeader(ROOT_CONTEXT)).toBeUndefined();
  });

  it('renders the context as an X-Ray header for AWSTraceHeader whatever the global propagator', () => {
    otel = installOtel(['tracecontext']);
    const ctx = activeSpanContext();
    const { traceId, spanId } = trace.getSpanContext(ctx)!;
    expect(xrayTraceHeader(ctx)).toBe(`Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=1`);
  });
});
