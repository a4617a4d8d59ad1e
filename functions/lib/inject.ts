import { context as otelContext, propagation, type Context } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { findAttributeName, sqsAttributesSetter, type SdkMessageAttributes } from './sqs-carrier.js';
import { createLogger, type Logger } from './logger.js';

/** SQS accepts at most 10 message attributes per message. */
export const SQS_MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * Which propagation fields survive when the attribute budget is short. The trace identity
 * comes first: the X-Ray header before `traceparent` because any consumer built on this
 * library can read it whatever its own propagator, then `tracestate`, then `baggage`;
 * unknown fields follow in name order.
 */
export const FIELD_PRIORITY = ['x-amzn-trace-id', 'traceparent', 'tracestate', 'baggage'] as const;

export interface InjectResult {
  /** Field names written as message attributes. */
  written: string[];
  /** Field names the propagator emitted that did not fit in the attribute budget. */
  dropped: string[];
}

function priorityOf(field: string): number {
  const index = (FIELD_PRIORITY as readonly string[]).indexOf(field.toLowerCase());
  return index === -1 ? FIELD_PRIORITY.length : index;
}

/**
 * Writes the fields of the globally configured propagator (whatever `OTEL_PROPAGATORS` names)
 * into `attributes`, in place, within SQS's 10-attribute limit. Never throws: a send must not
 * fail because of tracing. When fields must be dropped a WARN line says which.
 */
export function injectTraceContext(
  attributes: SdkMessageAttributes,
  ctx: Context = otelContext.active(),
  logger: Logger = createLogger(),
): InjectResult {
  const fields: Record<string, string> = {};
  try {
    propagation.inject(ctx, fields);
  } catch (error) {
    logger.warn('trace context could not be injected; the message is sent without it', { error });
    return { written: [], dropped: [] };
  }

  const candidates = Object.entries(fields)
    .filter(([, value]) => typeof value === 'string' && value !== '')
    .sort(([a], [b]) => priorityOf(a) - priorityOf(b) || a.localeCompare(b));

  // Fields replacing an attribute of the same name (any case) cost no extra slot.
  let free = SQS_MAX_MESSAGE_ATTRIBUTES - Object.keys(attributes).length;
  const result: InjectResult = { written: [], dropped: [] };
  for (const [name, value] of candidates) {
    const replaces = findAttributeName(attributes, name) !== undefined;
    if (!replaces && free <= 0) {
      result.dropped.push(name);
      continue;
    }
    if (!replaces) free -= 1;
    sqsAttributesSetter.set(attributes, name, value);
    result.written.push(name);
  }

  if (result.dropped.length > 0) {
    logger.warn(
      result.written.length > 0
        ? 'SQS allows 10 message attributes: some trace context fields were dropped'
        : 'SQS allows 10 message attributes: no trace context field fits; the consumer can only use AWSTraceHeader',
      { droppedFields: result.dropped, writtenFields: result.written },
    );
  }
  return result;
}

// Pure: a bundle that never reads or writes a header can drop it.
const xrayPropagator = /* @__PURE__ */ new AWSXRayPropagator();

/**
 * The context as an X-Ray header for the `AWSTraceHeader` message system attribute, which does
 * not count toward the 10 attributes and lets X-Ray link SQS to Lambda natively. Undefined when
 * the context has no valid span.
 */
export function xrayTraceHeader(ctx: Context = otelContext.active()): string | undefined {
  const carrier: Record<string, string> = {};
  xrayPropagator.inject(ctx, carrier, { set: (c, k, v) => void (c[k] = v) });
  const value = Object.values(carrier)[0];
  return value ? value : undefined;
}
