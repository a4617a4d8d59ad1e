import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One finished span as a JSON line: what the trace report needs, from every process. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: keyof typeof SpanKind;
  service: string;
  startMs: number;
  endMs: number;
  status: 'UNSET' | 'OK' | 'ERROR';
  statusMessage?: string;
  attributes: Attributes;
  events: Array<{ name: string; attributes?: Attributes }>;
  links: Array<{ traceId: string; spanId: string }>;
}

const toMs = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const service = String(span.resource.attributes['service.name'] ?? 'unknown');
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(span.parentSpanContext?.spanId ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    name: span.name,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    service,
    startMs: toMs(span.startTime),
    endMs: toMs(span.endTime),
    status: span.status.code === SpanStatusCode.ERROR ? 'ERROR' : span.status.code === SpanStatusCode.OK ? 'OK' : 'UNSET',
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, ...(event.attributes ? { attributes: event.attributes } : {}) })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}

/**
 * Appends spans to a JSON-lines file shared by every local process. Writes are synchronous,
 * one line per call, so a span is on disk before the process can exit.
 */
export class SpanFileExporter implements SpanExporter {
  constructor(private readonly path: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      appendFileSync(this.path, spans.map((span) => JSON.stringify(toSpanRecord(span)) + '\n').join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function readSpanFile(path: string): SpanRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanRecord);
}
