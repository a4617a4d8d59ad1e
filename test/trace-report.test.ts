import { ATTR } from '../functions/lib/attributes';
import type { SpanRecord } from '../local-runtime/span-file';
import { buildTraces, deliveryNote, renderHtmlReport, renderTraceTree } from '../local-runtime/trace-report';

const span = (overrides: Partial<SpanRecord>): SpanRecord => ({
  traceId: 'a'.repeat(32),
  spanId: 'b'.repeat(16),
  name: 'process-webhook',
  kind: 'CONSUMER',
  service: 'consumer',
  startMs: 1_000,
  endMs: 1_020,
  status: 'UNSET',
  attributes: {},
  events: [],
  links: [],
  ...overrides,
});

describe('trace report: what a record span says about its delivery', () => {
  const retried = span({ attributes: { [ATTR.sqsMessageDeliveryCount]: 2, [ATTR.sqsMessageQueueWaitMs]: 1500 } });
  const send = span({ spanId: 'c'.repeat(16), name: 'send webhooks', kind: 'PRODUCER', service: 'producer', startMs: 990, endMs: 995 });

  it('names the attempt and the queue wait', () => {
    expect(deliveryNote(retried)).toBe('attempt 2, waited 1.50 s in queue');
    expect(deliveryNote(send)).toBe('');
  });

  it('shows them in the tree and in the waterfall, only on the record span', () => {
    const [trace] = buildTraces([send, retried]);
    const tree = renderTraceTree(trace!);
    expect(tree).toMatch(/process-webhook \[consumer consumer\].*\(attempt 2, waited 1\.50 s in queue\)/);
    expect(tree).toMatch(/send webhooks \[producer producer\] [^(]*$/m);
    const html = renderHtmlReport([{ title: 'evt', subtitle: 'stored', traces: [{ trace: trace!, caption: 'request' }] }], 'demo');
    expect(html).toContain('consumer · consumer · attempt 2, waited 1.50 s in queue');
  });
});

describe('trace report: this event marked, other records faded, each queue wait a segment of its own', () => {
  const T = 'a'.repeat(32);
  const send = span({ traceId: T, spanId: 's'.repeat(16), name: 'send wh', kind: 'PRODUCER', service: 'wh-producer', startMs: 1_000, endMs: 1_050 });
  // Fan-out: two branches under the one publish, each with its own queue and wait.
  const billing = span({ traceId: T, spanId: '1'.repeat(16), parentSpanId: send.spanId, service: 'wh-consumer', startMs: 2_000, endMs: 2_100, attributes: { 'webhook.event_id': 'evt_1', [ATTR.messagingDestinationName]: 'wh', [ATTR.sqsMessageQueueWaitMs]: 900 } });
  const notifications = span({ traceId: T, spanId: '2'.repeat(16), parentSpanId: send.spanId, service: 'wh-notifications', startMs: 3_000, endMs: 3_200, attributes: { 'webhook.event_id': 'evt_1', [ATTR.messagingDestinationName]: 'wh-notifications', [ATTR.sqsMessageQueueWaitMs]: 1_950 } });
  // A batch's invocation trace holding another event's failed record (and its write) beside this one's.
  const I = 'c'.repeat(32);
  const invocation = span({ traceId: I, spanId: '3'.repeat(16), name: 'process wh', service: 'wh-consumer', startMs: 5_000, endMs: 5_300 });
  const other = span({ traceId: I, spanId: '4'.repeat(16), parentSpanId: invocation.spanId, status: 'ERROR', statusMessage: 'refused', service: 'wh-consumer', startMs: 5_010, endMs: 5_100, attributes: { 'webhook.event_id': 'evt_other' } });
  const otherWrite = span({ traceId: I, spanId: '5'.repeat(16), parentSpanId: other.spanId, name: 'DynamoDB.PutItem', kind: 'CLIENT', service: 'wh-consumer', startMs: 5_020, endMs: 5_090 });
  const mine = span({ traceId: I, spanId: '6'.repeat(16), parentSpanId: invocation.spanId, service: 'wh-consumer', startMs: 5_150, endMs: 5_250, attributes: { 'webhook.event_id': 'evt_1' } });
  const focus = (s: SpanRecord) => s.attributes['webhook.event_id'] === 'evt_1';
  const traces = new Map(buildTraces([send, billing, notifications, invocation, other, otherWrite, mine]).map((t) => [t.traceId, t]));

  it('draws each branch’s queue wait as its own line, just before its record span', () => {
    const lines = renderTraceTree(traces.get(T)!, false, focus).split('\n');
    expect(lines).toEqual([
      '  send wh [wh-producer producer] 50.0 ms +0.0 ms',
      '  ├─ ⧗ in queue wh 900.0 ms +100.0 ms',
      '  ├─ process-webhook [wh-consumer consumer] 100.0 ms +1.00 s (waited 900.0 ms in queue) ◀ this event',
      '  ├─ ⧗ in queue wh-notifications 1.95 s +50.0 ms',
      '  └─ process-webhook [wh-notifications consumer] 200.0 ms +2.00 s (waited 1.95 s in queue) ◀ this event',
    ]);
  });

  it('marks this event’s record in an invocation trace and fades the others with what runs beneath them', () => {
    const plain = renderTraceTree(traces.get(I)!, false, focus).split('\n');
    expect(plain).toEqual([
      '  process wh [wh-consumer consumer] 300.0 ms +0.0 ms',
      '  ├─ · process-webhook [wh-consumer consumer] 90.0 ms +10.0 ms ✗ ERROR: refused',
      '  │  └─ · DynamoDB.PutItem [wh-consumer client] 70.0 ms +20.0 ms',
      '  └─ process-webhook [wh-consumer consumer] 100.0 ms +150.0 ms ◀ this event',
    ]);
    const coloured = renderTraceTree(traces.get(I)!, true, focus).split('\n');
    // Faded: the whole line dimmed, the error no longer red; this event's bold with its mark.
    expect(coloured[1]).toBe('  ├─ \x1b[2mprocess-webhook [wh-consumer consumer] 90.0 ms +10.0 ms ✗ ERROR: refused\x1b[0m');
    expect(coloured[3]).toContain('\x1b[1m◀ this event\x1b[0m');
    // A wait that began before the invocation's trace did is offset backwards.
    const waited = { ...mine, spanId: '7'.repeat(16), attributes: { ...mine.attributes, [ATTR.sqsMessageQueueWaitMs]: 1_250 } };
    const [withWait] = buildTraces([invocation, waited]);
    expect(renderTraceTree(withWait!, false, focus).split('\n')[1]).toBe('  ├─ ⧗ in queue the queue 1.25 s -1.10 s');
    // Without a focus nothing is marked or faded.
    expect(renderTraceTree(traces.get(I)!)).not.toMatch(/◀|· /);
  });

  it('shows the same in the waterfall: wait bars on the trace’s scale, this event’s row marked, the others faded', () => {
    const html = renderHtmlReport([{ title: 'evt_1', subtitle: 'stored', traces: [{ trace: traces.get(T)!, caption: 'request' }, { trace: traces.get(I)!, caption: 'batch' }], focus }], 'demo');
    // The request trace runs 1000-3200 ms: billing's wait is 1100-2000, notifications' 1050-3000.
    expect(html).toContain('<td class="name" style="padding-left:20px">⧗ in queue<span class="svc">wh</span></td><td class="bar"><div class="track"><div class="span wait" style="left:4.545%;width:40.909%"');
    expect(html).toContain('⧗ in queue<span class="svc">wh-notifications</span></td><td class="bar"><div class="track"><div class="span wait" style="left:2.273%;width:88.636%"');
    expect(html.match(/<tr class="focus">/g)).toHaveLength(3);
    expect(html.match(/<tr class="error faded">/g)).toHaveLength(1);
    expect(html).toMatch(/<tr class="faded"><td class="name" style="padding-left:36px">DynamoDB\.PutItem/);
    expect(html.match(/◀ this event/g)).toHaveLength(3);
  });
});
