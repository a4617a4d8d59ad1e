// The soak's end checks on hand-made evidence: each kind of failure must be caught.
import type { SpanRecord } from '../local-runtime/span-file';
import { checkFanOut, checkSoak, failures, percentile, type SoakEvidence, type StoredItem } from '../soak/checks';
import type { PlannedEvent } from '../soak/events';
import { parseSoakArgs, DEFAULT_OPTIONS, FAULT_KINDS, type FaultKind } from '../soak/options';
import { renderReport, type SoakReport } from '../soak/report';
import type { EventLedger } from '../soak/sender';

let nextSpan = 1;
const span = (traceId: string, name: string, kind: SpanRecord['kind'], attributes: SpanRecord['attributes'], parentSpanId?: string): SpanRecord => ({
  traceId,
  spanId: (nextSpan++).toString(16).padStart(16, '0'),
  ...(parentSpanId ? { parentSpanId } : {}),
  name,
  kind,
  service: 'test',
  startMs: 0,
  endMs: 1,
  status: 'UNSET',
  attributes,
  events: [],
  links: [],
});

const event = (id: string, kind: PlannedEvent['kind'] = 'normal'): PlannedEvent => ({ index: 0, id, type: 'invoice.paid', kind, bytes: 300, created: 0, fillerSeed: 1 });
const ledger = (id: string, statuses: number[], kind: PlannedEvent['kind'] = 'normal'): EventLedger => ({
  event: event(id, kind),
  firstSendAt: 1000,
  deliveries: [{ redelivery: false, succeeded: statuses.includes(200), attempts: statuses.map((status) => ({ startedAt: 1000, endedAt: 1001, status, outcome: String(status) })) }],
});

/** The spans one clean delivery leaves: send, record span, its write. */
function delivery(traceId: string, eventId: string, messageId: string, duplicate = false): SpanRecord[] {
  const send = span(traceId, 'send q', 'PRODUCER', { 'webhook.event_id': eventId, 'messaging.message.id': messageId });
  const record = span(traceId, 'process-webhook', 'CONSUMER', { 'webhook.event_id': eventId, 'messaging.message.id': messageId, 'webhook.duplicate': duplicate, 'trace.has_upstream_context': true }, send.spanId);
  return [send, record, span(traceId, 'DynamoDB.PutItem', 'CLIENT', {}, record.spanId)];
}

const item = (eventId: string, traceId: string): StoredItem => ({ eventId, traceId, processedAt: new Date(1500).toISOString(), messageId: 'm' });

function cleanEvidence(): SoakEvidence {
  return {
    ledgers: [ledger('evt_a', [503, 200]), ledger('evt_b', [200]), ledger('evt_p', [200], 'poison'), ledger('evt_f', [401, 401], 'forged')],
    stored: new Map([
      ['evt_a', item('evt_a', 't1')],
      ['evt_b', item('evt_b', 't2')],
    ]),
    deadLettered: ['evt_p'],
    spans: [...delivery('t1', 'evt_a', 'm1'), ...delivery('t2', 'evt_b', 'm2'), ...delivery('t3', 'evt_b', 'm3', true)],
    queueRemaining: 0,
  };
}

describe('soak end checks', () => {
  it('passes a clean run and measures first send to stored', () => {
    const verdict = checkSoak(cleanEvidence());
    expect(failures(verdict)).toBe(0);
    expect(verdict.acceptedEvents).toBe(3);
    expect(verdict.acceptedPoison).toBe(1);
    expect(verdict.latenciesMs).toEqual([500, 500]);
  });

  it('counts an accepted event in neither the table nor the DLQ as lost, and the item count short', () => {
    const evidence = cleanEvidence();
    (evidence.stored as Map<string, StoredItem>).delete('evt_b');
    const verdict = checkSoak(evidence);
    expect(verdict.lost).toEqual(['evt_b']);
    expect(verdict.itemCountDifference).toBe(-1);
  });

  it('counts accepted poison missing from the DLQ as lost, and anything else in the DLQ', () => {
    const verdict = checkSoak({ ...cleanEvidence(), deadLettered: ['evt_a'] });
    expect(verdict.lost).toEqual(['evt_p']);
    expect(verdict.deadLetteredOthers).toEqual(['evt_a']);
  });

  it('counts two storing writes for one event as doubled', () => {
    const evidence = cleanEvidence();
    const verdict = checkSoak({ ...evidence, spans: [...evidence.spans, ...delivery('t4', 'evt_a', 'm4')] });
    expect(verdict.doubled).toEqual(['evt_a']);
  });

  it('flags items of never-accepted or poison events', () => {
    const evidence = cleanEvidence();
    const stored = new Map(evidence.stored);
    stored.set('evt_f', item('evt_f', 't1'));
    stored.set('evt_p', item('evt_p', 't1'));
    expect(checkSoak({ ...evidence, stored }).storedWithoutAcceptance.sort()).toEqual(['evt_f', 'evt_p']);
  });

  it.each([
    ['no span at all', (spans: SpanRecord[]) => spans.filter((s) => s.traceId !== 't1'), 'no span has the trace id'],
    ['no send span', (spans: SpanRecord[]) => spans.filter((s) => !(s.traceId === 't1' && s.kind === 'PRODUCER')), 'no producer send span'],
    ['no record span', (spans: SpanRecord[]) => spans.filter((s) => !(s.traceId === 't1' && s.name === 'process-webhook')), 'no process-webhook span'],
    ['no write span', (spans: SpanRecord[]) => spans.filter((s) => !(s.traceId === 't1' && s.name === 'DynamoDB.PutItem')), 'no DynamoDB write span'],
    ['another event in it', (spans: SpanRecord[]) => [...spans, span('t1', 'process-webhook', 'CONSUMER', { 'webhook.event_id': 'evt_b' })], 'cross-wired'],
  ])('finds a broken trace: %s', (_label, mutate, reason) => {
    const evidence = cleanEvidence();
    const verdict = checkSoak({ ...evidence, spans: mutate([...evidence.spans]) });
    expect(verdict.brokenTraces.map((broken) => broken.eventId)).toEqual(['evt_a']);
    expect(verdict.brokenTraces[0]?.reason).toContain(reason);
  });

  it('checks the traces of sampled webhooks only, and says how many were sampled', () => {
    const evidence = cleanEvidence();
    // evt_a's trace was not sampled (every span T1U) and lacks its write span: not a broken trace.
    const spans = evidence.spans
      .filter((s) => !(s.traceId === 't1' && s.name === 'DynamoDB.PutItem'))
      .map((s) => (s.traceId === 't1' ? { ...s, sampled: false } : { ...s, sampled: true }));
    const verdict = checkSoak({ ...evidence, spans });
    expect(verdict.brokenTraces).toEqual([]);
    expect([verdict.sampledStored, verdict.unsampledStored]).toEqual([1, 1]);
    // The same gap in a sampled trace is caught.
    const sampled = checkSoak({ ...evidence, spans: spans.map((s) => ({ ...s, sampled: true })) });
    expect(sampled.brokenTraces.map((broken) => broken.eventId)).toEqual(['evt_a']);
  });

  it('fails on any call the local AWS refused', () => {
    const denial = { at: 0, principal: 'arn:aws:sts::123456789012:assumed-role/r/s', service: 'dynamodb', operation: 'PutItem', action: 'kms:Decrypt', resource: 'arn:aws:kms:us-east-1:123456789012:key/k', message: 'denied' };
    const refusal = { at: 0, service: 'sqs', operation: 'SendMessage', code: 'InvalidParameterValue', message: 'too long' };
    const verdict = checkSoak({ ...cleanEvidence(), denials: [denial], refusals: [refusal] });
    expect(verdict.refused).toEqual(['kms:Decrypt: denied', 'sqs.SendMessage InvalidParameterValue: too long']);
    expect(failures(verdict)).toBe(2);
  });

  it('counts a record span on another trace than its message was sent on as cross-wired', () => {
    const evidence = cleanEvidence();
    const stray = span('t9', 'process-webhook', 'CONSUMER', { 'webhook.event_id': 'evt_a', 'messaging.message.id': 'm1', 'webhook.duplicate': true, 'trace.has_upstream_context': true });
    expect(checkSoak({ ...evidence, spans: [...evidence.spans, stray] }).crossWired).toBe(1);
  });

  it('fails while messages are left in the queue', () => {
    expect(failures(checkSoak({ ...cleanEvidence(), queueRemaining: 2 }))).toBe(2);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('soak options', () => {
  it('reads counts, rates and the seed, keeping the other defaults', () => {
    const options = parseSoakArgs(['--events', '500', '--seed', '9', '--ddb-throttle', '0.1', '--no-force']);
    expect(options).toMatchObject({ events: 500, seed: 9, everyFaultOnce: false, concurrency: DEFAULT_OPTIONS.concurrency });
    expect(options.faults.dynamoThrottle).toBe(0.1);
    expect(options.faults.sqsThrottle).toBe(DEFAULT_OPTIONS.faults.sqsThrottle);
  });

  it.each([[['--events', '0']], [['--ddb-5xx', '1.5']], [['--events', 'ten']], [['--bogus', '1']], [['--seed', '1.5']], [['--events']]])('refuses %j', (argv) => {
    expect(() => parseSoakArgs(argv)).toThrow();
  });
});

describe('soak end checks with fan-out: per consumer, by its filter', () => {
  /** One publish and a record span (with its write) on each branch named, each queue's copy with its own message id. */
  function published(traceId: string, eventId: string, branches: string[]): SpanRecord[] {
    const send = span(traceId, 'send wh', 'PRODUCER', { 'webhook.event_id': eventId, 'messaging.message.id': `sns-${eventId}` });
    return [
      send,
      ...branches.flatMap((service) => {
        const record = { ...span(traceId, 'process-webhook', 'CONSUMER', { 'webhook.event_id': eventId, 'messaging.message.id': `${service}-${eventId}`, 'webhook.duplicate': false, 'trace.has_upstream_context': true }, send.spanId), service };
        return [record, { ...span(traceId, 'DynamoDB.PutItem', 'CLIENT', {}, record.spanId), service }];
      }),
    ];
  }
  const typed = (id: string, type: string, statuses: number[] = [200]): EventLedger => ({ ...ledger(id, statuses), event: { ...event(id), type } });
  const ledgers = [typed('evt_inv', 'invoice.paid'), typed('evt_cus', 'customer.created'), typed('evt_forged', 'invoice.paid', [401])];
  const consumers = (spansOf: { billing?: string[]; notifications?: string[] } = {}) => [
    { name: 'billing', service: 'wh-consumer', takes: () => true, stored: new Map((spansOf.billing ?? ['evt_inv', 'evt_cus']).map((id) => [id, item(id, `t-${id}`)])), deadLettered: [], queueRemaining: 0 },
    { name: 'notifications', service: 'wh-notifications', takes: (e: PlannedEvent) => e.type.startsWith('invoice.'), stored: new Map((spansOf.notifications ?? ['evt_inv']).map((id) => [id, item(id, `t-${id}`)])), deadLettered: [], queueRemaining: 0 },
  ];
  const spans = [...published('t-evt_inv', 'evt_inv', ['wh-consumer', 'wh-notifications']), ...published('t-evt_cus', 'evt_cus', ['wh-consumer'])];
  const problems = (results: ReturnType<typeof checkFanOut>) => Object.fromEntries(results.map(({ consumer, verdict }) => [consumer, failures(verdict)]));

  it('passes when each consumer stored exactly what its filter takes, each branch on the publish’s trace', () => {
    const results = checkFanOut({ ledgers, spans }, consumers());
    expect(problems(results)).toEqual({ billing: 0, notifications: 0 });
    expect(results.map(({ verdict }) => [verdict.acceptedEvents, verdict.sampledStored])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });

  it('holds each consumer to its own filter: one missing is lost there only, one it should not take is stored without acceptance', () => {
    const missing = checkFanOut({ ledgers, spans }, consumers({ notifications: [] }));
    expect(missing.map(({ verdict }) => verdict.lost)).toEqual([[], ['evt_inv']]);
    const leaked = checkFanOut({ ledgers, spans: [...spans, ...published('t-evt_cus', 'evt_cus', ['wh-notifications']).slice(1)] }, consumers({ notifications: ['evt_inv', 'evt_cus'] }));
    expect(leaked.map(({ verdict }) => verdict.storedWithoutAcceptance)).toEqual([[], ['evt_cus']]);
  });

  it('finds a doubled write, a branch off its publish’s trace and a branch with no record span on one consumer only', () => {
    const again = published('t-evt_inv', 'evt_inv', ['wh-notifications']).slice(1);
    expect(checkFanOut({ ledgers, spans: [...spans, ...again] }, consumers()).map(({ verdict }) => verdict.doubled)).toEqual([[], ['evt_inv']]);
    const stray = { ...span('t-other', 'process-webhook', 'CONSUMER', { 'webhook.event_id': 'evt_inv', 'webhook.duplicate': true, 'trace.has_upstream_context': true }), service: 'wh-notifications' };
    expect(checkFanOut({ ledgers, spans: [...spans, stray] }, consumers()).map(({ verdict }) => verdict.crossWired)).toEqual([0, 1]);
    const withoutBranch = spans.filter((s) => !(s.service === 'wh-notifications'));
    expect(checkFanOut({ ledgers, spans: withoutBranch }, consumers()).map(({ verdict }) => verdict.brokenTraces.map((b) => b.reason))).toEqual([[], ['no process-webhook span for this event in its trace']]);
  });
  it('renders one table per consumer, each with its own DLQ count and its own batches', () => {
    const [billing, notifications] = checkFanOut({ ledgers, spans }, consumers()) as [ReturnType<typeof checkFanOut>[number], ReturnType<typeof checkFanOut>[number]];
    const report: SoakReport = {
      options: DEFAULT_OPTIONS,
      events: { total: 3, normal: 3, poison: 0, forged: 0 },
      deliveries: 3,
      redeliveries: 0,
      attempts: 3,
      retriesByCause: {},
      faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>,
      awsRequests: {},
      consumer: { batches: 1, failedInvocations: {}, recordsRetried: 0, duplicatesSkipped: 0 },
      deadLetterMessages: 7,
      verdict: billing.verdict,
      fanOut: [
        { ...billing, deadLetterMessages: 5, tally: { batches: 11, failedInvocations: { 'Sandbox.Timedout': 1 }, recordsRetried: 3, duplicatesSkipped: 4 } },
        { ...notifications, deadLetterMessages: 2, tally: { batches: 6, failedInvocations: {}, recordsRetried: 0, duplicatesSkipped: 1 } },
      ],
      wallMs: 1,
      sendMs: 1,
      endpoints: { moto: '', localAws: '', localAwsTls: '' },
    };
    const dlqRows = renderReport(report)
      .split('consumer ')
      .slice(1)
      .map((table) => [table.split(':')[0], /DLQ messages\s+(\d+)/.exec(table)?.[1], /batches\s+(\d+)/.exec(table)?.[1], /Sandbox.Timedout\s+(\d+)/.exec(table)?.[1]]);
    expect(dlqRows).toEqual([
      ['billing', '5', '11', '1'],
      ['notifications', '2', '6', undefined],
    ]);
  });
});
