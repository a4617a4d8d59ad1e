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
