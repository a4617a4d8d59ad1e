import { context, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Names as in OTEL_PROPAGATORS, for the unit tests' global propagator. */
export type PropagatorName = 'xray' | 'tracecontext' | 'baggage';

const PROPAGATORS: Record<PropagatorName, () => TextMapPropagator> = {
  xray: () => new AWSXRayPropagator(),
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
};

export interface OtelHarness {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  spansNamed(name: string): ReadableSpan[];
  reset(): void;
  shutdown(): Promise<void>;
}

/**
 * The real OpenTelemetry SDK registered globally, as the ADOT layer registers it: an in-memory
 * exporter, the AsyncLocalStorage context manager and the named propagators.
 */
export function installOtel(propagators: PropagatorName[] = ['xray']): OtelHarness {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.disable();
  context.disable();
  propagation.disable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: propagators.map((name) => PROPAGATORS[name]()) }));
  return {
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
