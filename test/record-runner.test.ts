import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { injectTraceContext } from '../functions/lib/inject';
import { createLogger } from '../functions/lib/logger';
import { DEFAULT_MAX_CONCURRENCY, processSqsBatch, type RecordWork, type TraceLinkMode } from '../functions/lib/record-runner';
import type { SdkMessageAttributes } from '../functions/lib/sqs-carrier';
import { installOtel, parentSpanId, type OtelHarness, type PropagatorName } from './support/otel';
import { lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A record as a producer on its own trace would send it; returns the producer's span ids. */
function producedRecord(body?: unknown): { record: SQSRecord; traceId: string; spanId: string } {
  const producer = trace.getTracer('producer').startSpan('send webhooks', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
  const attributes: SdkMessageAttributes = {};
  injectTraceContext(attributes, trace.setSpan(ROOT_CONTEXT, producer));
  producer.end();
  const { traceId, spanId } = producer.spanContext();
  return { record: lambdaRecord({ body, messageAttributes: attributes as Record<string, MessageAttributeValue> }), traceId, spanId };
}

/** Runs the batch inside an invocation span, as the Lambda instrumentation does. */
async function invoke(records: SQSRecord[], work: RecordWork, linkMode: TraceLinkMode = 'parent', maxConcurrency = 10) {
  const invocation = trace.getTracer('aws-lambda').startSpan('webhook-consumer', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const response = await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
    processSqsBatch(lambdaEvent(records), work, { linkMode, maxConcurrency, logger: createLogger({}, () => undefined) }),
  );
  invocation.end();
  return { response, invocation: invocation.spanContext() };
}

const noWork: RecordWork = async () => undefined;

/** The library's default span name for the test records' queue (`process <queue name>`, from QUEUE_ARN). */
const RECORD_SPAN = 'process webhooks';

describe.each<[string, PropagatorName[]]>([
  ['X-Ray', ['xray']],
  ['W3C', ['tracecontext']],
])('processSqsBatch under the %s propagator', (_name, propagators) => {
  let otel: OtelHarness;
  beforeEach(() => {
    otel = installOtel(propagators);
  });
  afterEach(async () => otel.shutdown());

  it('puts each record of a batch of 10 on its own producer trace (parent mode)', async () => {
    const produced = Array.from({ length: 10 }, () => producedRecord());
    const { response, invocation } = await invoke(
      produced.map((p) => p.record),
      noWork,
    );
    expect(response.batchItemFailures).toEqual([]);
    const spans = otel.spansNamed(RECORD_SPAN);
    expect(spans).toHaveLength(10);
    expect(new Set(produced.map((p) => p.traceId)).size).toBe(10);
    for (const { record, traceId, spanId } of produced) {
      const span = spans.find((s) => s.attributes['messaging.message.id'] === record.messageId)!;
      expect(span.spanContext().traceId).toBe(traceId);
      expect(parentSpanId(span)).toBe(spanId);
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.links.map((link) => link.context.spanId)).toEqual([invocation.spanId]);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'aws_sqs',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'webhooks',
        'trace.has_upstream_context': true,
      });
    }
  });

  it('link mode: a child of the invocation that links to the producer', async () => {
    const produced = producedRecord();
    const { invocation } = await invoke([produced.record], noWork, 'link');
    const [span] = otel.spansNamed(RECORD_SPAN);
    expect(span!.spanContext().traceId).toBe(invocation.traceId);
    expect(parentSpanId(span!)).toBe(invocation.spanId);
    expect(span!.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([[produced.traceId, produced.spanId]]);
  });
});

describe('processSqsBatch', () => {
  let otel: OtelHarness;
  beforeEach(() => {
    otel = installOtel(['xray']);
  });
  afterEach(async () => otel.shutdown());

  it.each<TraceLinkMode>(['parent', 'link'])('without upstream context (%s mode): a child of the invocation, and processed', async (mode) => {
    const seen: string[] = [];
    const record = lambdaRecord();
    const { response, invocation } = await invoke([record], async (r) => void seen.push(r.messageId), mode);
    const [span] = otel.spansNamed(RECORD_SPAN);
    expect(seen).toEqual([record.messageId]);
    expect(response.batchItemFailures).toEqual([]);
    expect(span!.spanContext().traceId).toBe(invocation.traceId);
    expect(parentSpanId(span!)).toBe(invocation.spanId);
    expect(span!.links).toEqual([]);
    expect(span!.attributes['trace.has_upstream_context']).toBe(false);
  });

  // Unsampled context is honoured, not treated as absent: test/lib-readme.test.ts holds it.
  it('malformed context: a child of the invocation, and processed', async () => {
    const records = [
      lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute('Root=garbage') } }),
      lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=maybe') } }),
    ];
    const seen: string[] = [];
    const { invocation } = await invoke(records, async (r) => void seen.push(r.messageId));
    expect(seen.sort()).toEqual(records.map((r) => r.messageId).sort());
    for (const span of otel.spansNamed(RECORD_SPAN)) {
      expect(parentSpanId(span)).toBe(invocation.spanId);
      expect(span.attributes['trace.has_upstream_context']).toBe(false);
    }
  });

  it('without an invocation span and without upstream context: a root span', async () => {
    await processSqsBatch(lambdaEvent([lambdaRecord()]), noWork, { logger: createLogger({}, () => undefined) });
    const [span] = otel.spansNamed(RECORD_SPAN);
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.links).toEqual([]);
  });

  it('uses AWSTraceHeader when the message attributes carry nothing', async () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    await invoke([lambdaRecord({ awsTraceHeader: header })], noWork);
    const [span] = otel.spansNamed(RECORD_SPAN);
    expect(span!.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(parentSpanId(span!)).toBe('53995c3f42cd8ad8');
    expect(span!.attributes['trace.upstream_source']).toBe('aws_trace_header');
  });

  it('isolates a failure: only that record is reported, its span is an error, the others are not', async () => {
    const produced = Array.from({ length: 5 }, () => producedRecord());
    const failing = produced[2]!.record.messageId;
    const { response } = await invoke(
      produced.map((p) => p.record),
      async (record) => {
        if (record.messageId === failing) throw new Error('DynamoDB said no');
      },
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing }]);
    for (const span of otel.spansNamed(RECORD_SPAN)) {
      const isFailing = span.attributes['messaging.message.id'] === failing;
      expect(span.status.code).toBe(isFailing ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
      expect(span.events.filter((event) => event.name === 'exception')).toHaveLength(isFailing ? 1 : 0);
    }
    const failed = otel.spansNamed(RECORD_SPAN).find((s) => s.attributes['messaging.message.id'] === failing)!;
    expect(failed.status.message).toBe('DynamoDB said no');
    expect(failed.events[0]!.attributes?.['exception.message']).toBe('DynamoDB said no');
  });

  it("logs a record's failure with that record's trace, not the invocation's", async () => {
    const produced = producedRecord();
    const lines: Record<string, unknown>[] = [];
    const invocation = trace.getTracer('aws-lambda').startSpan('invocation', {}, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
      processSqsBatch(
        lambdaEvent([produced.record]),
        async () => {
          throw new Error('write failed');
        },
        { logger: createLogger({}, (line) => lines.push(JSON.parse(line))) },
      ),
    );
    invocation.end();
    const [span] = otel.spansNamed(RECORD_SPAN);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'ERROR', traceId: produced.traceId, spanId: span!.spanContext().spanId, messageId: produced.record.messageId, error: { name: 'Error', message: 'write failed' } }),
    ]);
  });

  it('reports failures in delivery order and survives non-Error throws', async () => {
    const records = Array.from({ length: 6 }, () => lambdaRecord());
    const failing = new Set([records[4]!.messageId, records[1]!.messageId]);
    const { response } = await invoke(records, async (record) => {
      if (record.messageId === records[1]!.messageId) await sleep(20);
      if (failing.has(record.messageId)) throw 'plain string';
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }, { itemIdentifier: records[4]!.messageId }]);
  });

  // At the old fixed bound (10) and at the defaults (DEFAULT_MAX_CONCURRENCY, 128) with a batch
  // larger than it, so lanes are reused by later records.
  it.each([
    { size: 10, maxConcurrency: 10 as number | undefined, peak: 10 },
    { size: 300, maxConcurrency: undefined, peak: DEFAULT_MAX_CONCURRENCY },
  ])('keeps each concurrent record in its own context: child spans and log lines never cross ($size records, maxConcurrency $maxConcurrency)', async ({ size, maxConcurrency, peak }) => {
    const produced = Array.from({ length: size }, () => producedRecord());
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({}, (line) => lines.push(JSON.parse(line)));
    let inFlight = 0;
    let mostInFlight = 0;
    const work: RecordWork = async (record, scope) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await sleep(Math.floor(Math.random() * 15));
      const child = trace.getTracer('aws-sdk').startSpan('DynamoDB.PutItem', { kind: SpanKind.CLIENT });
      await sleep(Math.floor(Math.random() * 15));
      scope.logger.info('processing', { recordBody: record.body.length });
      child.end();
      inFlight -= 1;
    };
    const invocation = trace.getTracer('aws-lambda').startSpan('invocation', {}, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
      processSqsBatch(lambdaEvent(produced.map((p) => p.record)), work, { maxConcurrency, logger }),
    );
    invocation.end();
    const recordSpans = new Map(otel.spansNamed(RECORD_SPAN).map((s) => [s.attributes['messaging.message.id'], s]));
    const children = new Map(otel.spansNamed('DynamoDB.PutItem').map((c) => [parentSpanId(c), c]));
    const linesById = new Map(lines.map((l) => [l.messageId, l]));
    expect(children.size).toBe(size);
    for (const { record, traceId } of produced) {
      const recordSpan = recordSpans.get(record.messageId)!;
      expect(recordSpan.spanContext().traceId).toBe(traceId);
      const child = children.get(recordSpan.spanContext().spanId)!;
      expect(child.spanContext().traceId).toBe(traceId);
      expect(linesById.get(record.messageId)).toMatchObject({ traceId, spanId: recordSpan.spanContext().spanId });
    }
    // The records really were in flight together, as many as the bound allows.
    expect(mostInFlight).toBe(peak);
  });

  it('never has more than maxConcurrency records in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const records = Array.from({ length: 25 }, () => lambdaRecord());
    const { response } = await invoke(
      records,
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await sleep(5);
        inFlight -= 1;
      },
      'parent',
      4,
    );
    expect(peak).toBe(4);
    expect(response.batchItemFailures).toEqual([]);
    expect(otel.spansNamed(RECORD_SPAN)).toHaveLength(25);
  });

  it('works with the context the work sees being the record span', async () => {
    let seen: Context | undefined;
    await invoke([lambdaRecord()], async (_record, scope) => {
      seen = context.active();
      expect(trace.getSpan(seen)).toBe(scope.span);
    });
    expect(seen).toBeDefined();
  });
});
