import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { compositePropagator, parsePropagatorNames } from './propagators';
import { SpanFileExporter } from './span-file';

export interface LocalTracingOptions {
  serviceName: string;
  spansFile: string;
  /** OTEL_PROPAGATORS as the function sees it. */
  propagators: string | undefined;
  /** Patch @aws-sdk/* as ADOT does, so SQS and DynamoDB calls become client spans. */
  instrumentAwsSdk: boolean;
}

/**
 * What the ADOT layer does before the handler loads: register an SDK tracer provider, the
 * AsyncLocalStorage context manager and the propagators named in OTEL_PROPAGATORS, and
 * instrument the AWS SDK. Spans go to a local JSON-lines file instead of X-Ray.
 */
export function installLocalTracing(options: LocalTracingOptions): BasicTracerProvider {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new SimpleSpanProcessor(new SpanFileExporter(options.spansFile))],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(compositePropagator(parsePropagatorNames(options.propagators)));
  if (options.instrumentAwsSdk) {
    registerInstrumentations({ tracerProvider: provider, instrumentations: [new AwsInstrumentation()] });
  }
  return provider;
}
