import { ATTR } from '../functions/lib/attributes';
import { RECORD_SPAN_NAME } from '../functions/telemetry-names';
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

/** The time a record's message spent in its queue before this attempt: a segment of its own, ending where the record span starts. */
export interface QueueWait {
  queue: string;
  startMs: number;
  endMs: number;
}

export function queueWaitOf(span: SpanRecord): QueueWait | undefined {
  const waitMs = span.attributes[ATTR.sqsMessageQueueWaitMs];
  if (typeof waitMs !== 'number' || waitMs <= 0) return undefined;
  const queue = span.attributes[ATTR.messagingDestinationName];
  return { queue: typeof queue === 'string' ? queue : 'the queue', startMs: span.startMs - waitMs, endMs: span.startMs };
}

/**
 * Which record spans are the event's a report is about: marked, and every other record's span
 * (another event's in the same batch, with its failure) faded with what runs beneath it.
 */
export type Focus = (span: SpanRecord) => boolean;

/** One line of a tree or a waterfall: a span, or the queue wait just before a record span. */
type Row = { kind: 'span'; node: TraceNode; faded: boolean; focused: boolean } | { kind: 'wait'; wait: QueueWait; faded: boolean };

/** The rows of some sibling nodes in order: each record's queue wait first, as a sibling of its own. */
function rowsOf(nodes: readonly TraceNode[], focus: Focus | undefined, fadedAbove: boolean): Row[] {
  return nodes.flatMap((node): Row[] => {
    const isRecord = node.span.name === RECORD_SPAN_NAME;
    const focused = focus !== undefined && isRecord && focus(node.span);
    const faded = fadedAbove || (focus !== undefined && isRecord && !focused);
    const wait = isRecord ? queueWaitOf(node.span) : undefined;
    return [...(wait ? [{ kind: 'wait' as const, wait, faded }] : []), { kind: 'span', node, faded, focused }];
  });
}

export const THIS_EVENT_MARK = '◀ this event';

function label(span: SpanRecord): string {
  const kind = span.kind === 'INTERNAL' ? '' : ` ${span.kind.toLowerCase()}`;
  return `${span.name} [${span.service}${kind}]`;
}

/**
 * The trace as an indented tree: durations, start offsets, and a mark on every error; each record
 * span preceded by its queue wait (`⧗ in queue <queue>`); with a focus, this event's record spans
 * marked and other records' faded (dimmed in colour, `·` before them without).
 */
export function renderTraceTree(trace: Trace, colour = false, focus?: Focus): string {
  const red = (text: string) => (colour ? `\x1b[31m${text}\x1b[0m` : text);
  const dim = (text: string) => (colour ? `\x1b[2m${text}\x1b[0m` : text);
  const bold = (text: string) => (colour ? `\x1b[1m${text}\x1b[0m` : text);
  const lines: string[] = [];
  const walk = (row: Row, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    if (row.kind === 'wait') {
      const { wait } = row;
      // A record's wait in an invocation's trace began before that trace did: a negative offset.
      const from = wait.startMs - trace.startMs;
      const text = `⧗ in queue ${wait.queue} ${formatDuration(wait.endMs - wait.startMs)} ${from < 0 ? '-' : '+'}${formatDuration(Math.abs(from))}`;
      lines.push(`${prefix}${branch}${dim(row.faded && !colour ? `· ${text}` : text)}`);
      return;
    }
    const { span } = row.node;
    const offset = `+${formatDuration(span.startMs - trace.startMs)}`;
    const error = span.status === 'ERROR' ? ` ✗ ERROR${span.statusMessage ? `: ${span.statusMessage}` : ''}` : '';
    const delivery = deliveryNote(span);
    const note = delivery ? ` (${delivery})` : '';
    const text = `${label(span)} ${formatDuration(span.endMs - span.startMs)}`;
    if (row.faded) lines.push(`${prefix}${branch}${colour ? dim(`${text} ${offset}${note}${error}`) : `· ${text} ${offset}${note}${error}`}`);
    else lines.push(`${prefix}${branch}${row.focused ? bold(text) : text} ${dim(offset)}${dim(note)}${red(error)}${row.focused ? ` ${bold(THIS_EVENT_MARK)}` : ''}`);
    const childPrefix = depth === 0 ? prefix : prefix + (last ? '   ' : '│  ');
    const children = rowsOf(row.node.children, focus, row.faded);
    children.forEach((child, index) => walk(child, childPrefix, index === children.length - 1, depth + 1));
  };
  rowsOf(trace.roots, focus, false).forEach((root) => walk(root, '  ', true, 0));
  return lines.join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface ReportSection {
  title: string;
  subtitle: string;
  /** Every trace the section shows, each with a line saying what it is; none for a rejected request. */
  traces: Array<{ trace: Trace; caption: string }>;
  /** This event's record spans (marked; other records' faded). */
  focus?: Focus;
}

/** A self-contained HTML page: one waterfall per trace, no external assets. */
export function renderHtmlReport(sections: readonly ReportSection[], heading: string): string {
  const waterfall = (trace: Trace, caption: string, focus: Focus | undefined) => {
    // The queue waits may begin before the trace's first span ends; the scale covers them too.
    const waits = trace.spans.filter((span) => span.name === RECORD_SPAN_NAME).map(queueWaitOf);
    const startMs = Math.min(trace.startMs, ...waits.map((wait) => wait?.startMs ?? trace.startMs));
    const total = Math.max(trace.endMs - startMs, 0.001);
    const bar = (fromMs: number, toMs: number, classes: string, title: string) =>
      `<td class="bar"><div class="track"><div class="${classes}" style="left:${(((fromMs - startMs) / total) * 100).toFixed(3)}%;width:${Math.max(((toMs - fromMs) / total) * 100, 0.3).toFixed(3)}%" title="${escapeHtml(title)}"></div></div></td>`;
    const rows: string[] = [];
    const walk = (row: Row, depth: number) => {
      const indent = `padding-left:${depth * 16 + 4}px`;
      if (row.kind === 'wait') {
        const { wait } = row;
        rows.push(
          `<tr class="wait${row.faded ? ' faded' : ''}"><td class="name" style="${indent}">⧗ in queue<span class="svc">${escapeHtml(wait.queue)}</span></td>` +
            `${bar(wait.startMs, wait.endMs, 'span wait', `waited ${formatDuration(wait.endMs - wait.startMs)} in ${wait.queue}`)}<td class="dur">${formatDuration(wait.endMs - wait.startMs)}</td></tr>`,
        );
        return;
      }
      const { span } = row.node;
      const error = span.status === 'ERROR';
      const delivery = deliveryNote(span);
      const classes = [error ? 'error' : '', row.faded ? 'faded' : '', row.focused ? 'focus' : ''].filter(Boolean).join(' ');
      rows.push(
        `<tr class="${classes}"><td class="name" style="${indent}">${escapeHtml(span.name)}${error ? ' ✗' : ''}${row.focused ? ` <span class="mark">${THIS_EVENT_MARK}</span>` : ''}<span class="svc">${escapeHtml(span.service)} · ${span.kind.toLowerCase()}${delivery ? ` · ${escapeHtml(delivery)}` : ''}</span></td>` +
          `${bar(span.startMs, span.endMs, `span ${error ? 'err' : ''}`, span.statusMessage ?? '')}<td class="dur">${formatDuration(span.endMs - span.startMs)}</td></tr>`,
      );
      rowsOf(row.node.children, focus, row.faded).forEach((child) => walk(child, depth + 1));
    };
    rowsOf(trace.roots, focus, false).forEach((root) => walk(root, 0));
    return `<p class="tid">trace ${trace.traceId} · ${formatDuration(total)} · ${escapeHtml(caption)}</p><table>${rows.join('')}</table>`;
  };
  const body = sections
    .map((section) => `<section><h2>${escapeHtml(section.title)}</h2><p class="sub">${escapeHtml(section.subtitle)}</p>${section.traces.length > 0 ? section.traces.map(({ trace, caption }) => waterfall(trace, caption, section.focus)).join('') : '<p class="sub">no trace (rejected before the queue)</p>'}</section>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title><style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:20px}h2{font-size:16px;margin:1.5em 0 .2em}
.sub,.tid{color:#666;margin:.2em 0}table{border-collapse:collapse;width:100%}td{padding:2px 4px;border-bottom:1px solid #eee;white-space:nowrap}
td.name{width:34%}td.dur{width:8%;text-align:right;color:#444}.svc{color:#888;font-size:12px;margin-left:.6em}
.track{position:relative;height:14px;background:#f6f6f6}.span{position:absolute;top:2px;height:10px;background:#4a90d9;border-radius:2px}
.span.err{background:#d9534f}tr.error td.name{color:#c9302c}
.span.wait{background:repeating-linear-gradient(45deg,#e0b84a 0 4px,#f5e2a8 4px 8px)}tr.wait td.name{color:#8a6d1d}
tr.faded{opacity:.35}tr.focus td.name{font-weight:600}.mark{color:#2b7a2b;font-weight:600}</style></head><body><h1>${escapeHtml(heading)}</h1>${body}</body></html>`;
}
