// Decodes the OTLP protobuf the ADOT layer exports into the runtime's SpanRecord lines.
//
// The decoder is the protobufjs module OpenTelemetry generated from opentelemetry-proto and
// shipped in @opentelemetry/otlp-transformer up to 0.214 (installed under the alias
// otlp-transformer-0-214). Later releases hand-write an encoder and cannot decode, and the
// distro's own copy (0.219) is one of those.
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { SpanRecord } from './span-file';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-0-214/build/src/generated/root') as GeneratedRoot;

/** The parts of the generated module this file uses (its own typings only say `Root`). */
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: { trace: { v1: { ExportTraceServiceRequest: MessageType } } };
    };
  };
}

interface MessageType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: { longs: StringConstructor; bytes: StringConstructor; enums: NumberConstructor; defaults: boolean; arrays: boolean }): unknown;
}

/** ExportTraceServiceRequest as toObject gives it: longs as decimal strings, bytes as base64. */
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ name: string; attributes: OtlpKeyValue[] }>;
  links: Array<{ traceId: string; spanId: string; attributes: OtlpKeyValue[] }>;
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans: Array<{ resource?: { attributes: OtlpKeyValue[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

// Index = the proto enum value (SPAN_KIND_UNSPECIFIED = 0 counts as INTERNAL, as the spec says).
const KINDS: ReadonlyArray<SpanRecord['kind']> = ['INTERNAL', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES: ReadonlyArray<SpanRecord['status']> = ['UNSET', 'OK', 'ERROR'];

const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex');
const nanosToMs = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000;

function scalar(value: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  // A key-value list has no OpenTelemetry attribute type: kept readable as JSON.
  if (value.kvlistValue !== undefined) return JSON.stringify(toAttributes(value.kvlistValue.values));
  return undefined;
}

function toAttributeValue(value: OtlpAnyValue | undefined): AttributeValue | undefined {
  if (value?.arrayValue) return value.arrayValue.values.map((item) => scalar(item)).filter((item) => item !== undefined) as AttributeValue;
  return scalar(value);
}

export function toAttributes(list: readonly OtlpKeyValue[] | undefined): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of list ?? []) {
    const converted = toAttributeValue(value);
    if (converted !== undefined) attributes[key] = converted;
  }
  return attributes;
}

/** Every span of one OTLP ExportTraceServiceRequest (protobuf bytes) as SpanRecords. */
export function decodeTraceRequest(bytes: Uint8Array): SpanRecord[] {
  const type = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const request = type.toObject(type.decode(bytes), { longs: String, bytes: String, enums: Number, defaults: false, arrays: true }) as OtlpRequest;
  const records: SpanRecord[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = toAttributes(resourceSpans.resource?.attributes);
    const service = String(resource['service.name'] ?? 'unknown');
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const parentSpanId = hex(span.parentSpanId);
        records.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          ...(parentSpanId ? { parentSpanId } : {}),
          name: span.name,
          kind: KINDS[span.kind ?? 0] ?? 'INTERNAL',
          service,
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          status: STATUSES[span.status?.code ?? 0] ?? 'UNSET',
          ...(span.status?.message ? { statusMessage: span.status.message } : {}),
          attributes: toAttributes(span.attributes),
          events: span.events.map((event) => ({ name: event.name, attributes: toAttributes(event.attributes) })),
          links: span.links.map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId), attributes: toAttributes(link.attributes) })),
        });
      }
    }
  }
  return records;
}
