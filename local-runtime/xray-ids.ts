import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { xrayTraceHeader } from '../functions/lib/inject';

/**
 * Trace and span ids as AWS mints them for its own segments (API Gateway's stage, a Lambda
 * invocation with no upstream): an X-Ray trace id starts with the epoch seconds in 8 hex digits,
 * which OpenTelemetry's 32-hex trace id carries unchanged.
 */
export function newTraceId(nowMs = Date.now()): string {
  return Math.floor(nowMs / 1000).toString(16).padStart(8, '0') + randomBytes(12).toString('hex');
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** The X-Ray header Lambda passes in `_X_AMZN_TRACE_ID` (Root, Parent, Sampled). */
export function xrayHeader(traceId: string, parentSpanId: string, sampled: boolean): string {
  // The library's own formatter (the X-Ray propagator), so the runtime writes what the functions read.
  const spanContext = { traceId, spanId: parentSpanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
  const header = xrayTraceHeader(trace.setSpanContext(ROOT_CONTEXT, spanContext));
  if (header === undefined) throw new Error(`not a valid trace id / span id: ${traceId} / ${parentSpanId}`);
  return header;
}

/** The OpenTelemetry trace id of an X-Ray header's Root (empty when it has none). */
export function traceIdOfHeader(header: string): string {
  const root = /Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})/.exec(header);
  return root ? `${root[1]}${root[2]}`.toLowerCase() : '';
}
