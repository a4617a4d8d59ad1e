import { ATTR } from '../functions/lib/attributes';
import type { SpanRecord } from './span-file';

export interface TraceNode {
  span: SpanRecord;
  children: TraceNode[];
}

export interface Trace {
  traceId: string;
  roots: TraceNode[];
  startMs: number;
  endMs: number;
  spans: SpanRecord[];
}

/** Groups spans by trace and nests them by parent; a span whose parent is missing becomes a root. */
export function buildTraces(spans: readonly SpanRecord[]): Trace[] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const span of spans) (byTrace.get(span.traceId) ?? byTrace.set(span.traceId, []).get(span.traceId)!).push(span);
  return [...byTrace.entries()].map(([traceId, members]) => {
    const nodes = new Map(members.map((span) => [span.spanId, { span, children: [] as TraceNode[] }]));
    const roots: TraceNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    const byStart = (a: TraceNode, b: TraceNode) => a.span.startMs - b.span.startMs;
    for (const node of nodes.values()) node.children.sort(byStart);
    roots.sort(byStart);
    return {
      traceId,
      roots,
      spans: members,
      startMs: Math.min(...members.map((s) => s.startMs)),
      endMs: Math.max(...members.map((s) => s.endMs)),
    };
  });
}

export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(1)} ms`;
}

/**
 * What a record's span says about its delivery (attempt number, time waited in the queue), so a
 * retried or late event shows why in the tree and the waterfall; empty for other spans.
 */
export function deliveryNote(span: SpanRecord): string {
  const attempt = span.attributes[ATTR.sqsMessageDeliveryCount];
  const waitMs = span.attributes[ATTR.sqsMessageQueueWaitMs];
  const parts: string[] = [];
  if (typeof attempt === 'number') parts.push(`attempt ${attempt}`);
  if (typeof waitMs === 'number') parts.push(`waited ${formatDuration(waitMs)} in queue`);
  return parts.join(', ');
}

function label(span: SpanRecord): string {
  const kind = span.kind === 'INTERNAL' ? '' : ` ${span.kind.toLowerCase()}`;
  return `${span.name} [${span.service}${kind}]`;
}

/** The trace as an indented tree: durations, start offsets, and a mark on every error. */
export function renderTraceTree(trace: Trace, colour = false): string {
  const red = (text: string) => (colour ? `\x1b[31m${text}\x1b[0m` : text);
  const dim = (text: string) => (colour ? `\x1b[2m${text}\x1b[0m` : text);
  const lines: string[] = [];
  const walk = (node: TraceNode, prefix: string, last: boolean, depth: number) => {
    const { span } = node;
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const offset = dim(`+${formatDuration(span.startMs - trace.startMs)}`);
    const error = span.status === 'ERROR' ? red(` ✗ ERROR${span.statusMessage ? `: ${span.statusMessage}` : ''}`) : '';
    const delivery = deliveryNote(span);
    const note = delivery ? dim(` (${delivery})`) : '';
    lines.push(`${prefix}${branch}${label(span)} ${formatDuration(span.endMs - span.startMs)} ${offset}${note}${error}`);
    const childPrefix = depth === 0 ? prefix : prefix + (last ? '   ' : '│  ');
    node.children.forEach((child, index) => walk(child, childPrefix, index === node.children.length - 1, depth + 1));
  };
  trace.roots.forEach((root) => walk(root, '  ', true, 0));
  return lines.join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface ReportSection {
  title: string;
  subtitle: string;
  /** Every trace the section shows, each with a line saying what it is; none for a rejected request. */
  traces: Array<{ trace: Trace; caption: string }>;
}

/** A self-contained HTML page: one waterfall per trace, no external assets. */
export function renderHtmlReport(sections: readonly ReportSection[], heading: string): string {
  const waterfall = (trace: Trace, caption: string) => {
    const total = Math.max(trace.endMs - trace.startMs, 0.001);
    const rows: string[] = [];
    const walk = (node: TraceNode, depth: number) => {
      const { span } = node;
      const left = ((span.startMs - trace.startMs) / total) * 100;
      const width = Math.max(((span.endMs - span.startMs) / total) * 100, 0.3);
      const error = span.status === 'ERROR';
      const delivery = deliveryNote(span);
      rows.push(
        `<tr class="${error ? 'error' : ''}"><td class="name" style="padding-left:${depth * 16 + 4}px">${escapeHtml(span.name)}${error ? ' ✗' : ''}<span class="svc">${escapeHtml(span.service)} · ${span.kind.toLowerCase()}${delivery ? ` · ${escapeHtml(delivery)}` : ''}</span></td>` +
          `<td class="bar"><div class="track"><div class="span ${error ? 'err' : ''}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%" title="${escapeHtml(span.statusMessage ?? '')}"></div></div></td>` +
          `<td class="dur">${formatDuration(span.endMs - span.startMs)}</td></tr>`,
      );
      node.children.forEach((child) => walk(child, depth + 1));
    };
    trace.roots.forEach((root) => walk(root, 0));
    return `<p class="tid">trace ${trace.traceId} · ${formatDuration(total)} · ${escapeHtml(caption)}</p><table>${rows.join('')}</table>`;
  };
  const body = sections
    .map((section) => `<section><h2>${escapeHtml(section.title)}</h2><p class="sub">${escapeHtml(section.subtitle)}</p>${section.traces.length > 0 ? section.traces.map(({ trace, caption }) => waterfall(trace, caption)).join('') : '<p class="sub">no trace (rejected before the queue)</p>'}</section>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title><style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:20px}h2{font-size:16px;margin:1.5em 0 .2em}
.sub,.tid{color:#666;margin:.2em 0}table{border-collapse:collapse;width:100%}td{padding:2px 4px;border-bottom:1px solid #eee;white-space:nowrap}
td.name{width:34%}td.dur{width:8%;text-align:right;color:#444}.svc{color:#888;font-size:12px;margin-left:.6em}
.track{position:relative;height:14px;background:#f6f6f6}.span{position:absolute;top:2px;height:10px;background:#4a90d9;border-radius:2px}
.span.err{background:#d9534f}tr.error td.name{color:#c9302c}</style></head><body><h1>${escapeHtml(heading)}</h1>${body}</body></html>`;
}
