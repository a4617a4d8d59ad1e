import type { Attributes } from '@opentelemetry/api';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One finished span as a JSON line: what the trace report needs, from every process. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  service: string;
  startMs: number;
  endMs: number;
  status: 'UNSET' | 'OK' | 'ERROR';
  statusMessage?: string;
  attributes: Attributes;
  events: Array<{ name: string; attributes?: Attributes }>;
  links: Array<{ traceId: string; spanId: string; attributes?: Attributes }>;
  /** How the layer flagged the datagram that carried the span (T1S sampled, T1U unsampled). */
  sampled?: boolean;
}

/**
 * Appends spans to the JSON-lines file of a run. Writes are synchronous, one call per batch, so
 * spans are on disk as soon as they arrive.
 */
export function appendSpanRecords(path: string, records: readonly SpanRecord[]): void {
  if (records.length > 0) appendFileSync(path, records.map((record) => JSON.stringify(record) + '\n').join(''));
}

export function readSpanFile(path: string): SpanRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SpanRecord);
}
