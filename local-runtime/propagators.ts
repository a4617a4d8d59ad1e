import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';

export type PropagatorName = 'xray' | 'tracecontext' | 'baggage';

const FACTORIES: Record<PropagatorName, () => TextMapPropagator> = {
  xray: () => new AWSXRayPropagator(),
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
};

/** The ADOT layer's default when OTEL_PROPAGATORS is unset. */
export const ADOT_DEFAULT_PROPAGATORS = 'baggage,tracecontext,xray';

/** Parses OTEL_PROPAGATORS as the layer does; an unknown name is an error, not a silent skip. */
export function parsePropagatorNames(value: string | undefined): PropagatorName[] {
  const names = (value?.trim() ? value : ADOT_DEFAULT_PROPAGATORS).split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  for (const name of names) {
    if (!(name in FACTORIES)) throw new Error(`OTEL_PROPAGATORS names "${name}", which the local runtime does not provide (known: ${Object.keys(FACTORIES).join(', ')}, none)`);
  }
  return names as PropagatorName[];
}

export function compositePropagator(names: readonly PropagatorName[]): TextMapPropagator {
  return new CompositePropagator({ propagators: names.map((name) => FACTORIES[name]()) });
}
