// The library README's exact behaviour sentences (functions/lib/README.md, between the
// behaviour:start and behaviour:end markers), each held by a test here, on the library's sources
// under the real OpenTelemetry SDK. The README's section must list exactly these sentences, so
// neither can change without the other.
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, propagation, trace, type SpanContext, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SQSRecord } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractUpstreamContext } from '../functions/lib/extract';
import { injectTraceContext } from '../functions/lib/inject';
import { createLogger } from '../functions/lib/logger';
import { processSqsBatch, type BatchOptions, type RecordScope, type RecordWork, type TraceLinkMode } from '../functions/lib/record-runner';
import type { SdkMessageAttributes } from '../functions/lib/sqs-carrier';
import { snsNotificationBody, type PublishedAttribute } from '../local-runtime/local-aws/sns-notification';
import { ROOT } from './support/bundle';
import { installOtel, parentSpanId, type OtelHarness } from './support/otel';
import { QUEUE_ARN, lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const SPAN_ID = '53995c3f42cd8ad8';
const xrayHeader = (sampled: string) => `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN_ID};Sampled=${sampled}`;
const traceparent = (flags: string) => `00-${TRACE_ID}-${SPAN_ID}-${flags}`;
/** The library's default span name for the test records' queue (QUEUE_ARN ends in `webhooks`). */
const RECORD_SPAN = 'process webhooks';

/** The README's behaviour sentences, whitespace collapsed. */
export function readmeBehaviour(): string[] {
  const readme = readFileSync(join(ROOT, 'functions/lib/README.md'), 'utf8');
  const section = /<!-- behaviour:start -->\n([\s\S]*?)<!-- behaviour:end -->/.exec(readme)?.[1] ?? '';
  return section
    .split(/^- /m)
    .map((item) => item.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

let otel: OtelHarness;
const lines: Array<Record<string, unknown>> = [];

interface Invoked {
  response: Awaited<ReturnType<typeof processSqsBatch>>;
  invocation: SpanContext;
}

/** Runs a batch inside an invocation span, as the Lambda instrumentation does. */
async function invoke(records: SQSRecord[], work: RecordWork = async () => undefined, options: BatchOptions = {}): Promise<Invoked> {
  const invocation = trace.getTracer('aws-lambda').startSpan('invocation', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const response = await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
    processSqsBatch(lambdaEvent(records), work, { logger: createLogger({}, (line) => lines.push(JSON.parse(line))), ...options }),
  );
  invocation.end();
  return { response, invocation: invocation.spanContext() };
}

/** A record as a producer on its own (sampled) trace sends it through the global propagator. */
function produced(): { record: SQSRecord; producer: SpanContext } {
  const span = trace.getTracer('producer').startSpan('send', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
  const attributes: SdkMessageAttributes = {};
  injectTraceContext(attributes, trace.setSpan(ROOT_CONTEXT, span));
  span.end();
  return { record: lambdaRecord({ messageAttributes: attributes as Record<string, MessageAttributeValue> }), producer: span.spanContext() };
}

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:webhooks';

/** What a producer publishes to SNS on its own (sampled) trace: the attributes, as SNS keeps them. */
function publishedAttributes(): { attributes: Record<string, PublishedAttribute>; producer: SpanContext } {
  const span = trace.getTracer('producer').startSpan('send', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
  const sdk: SdkMessageAttributes = { kind: { DataType: 'String', StringValue: 'order' } };
  injectTraceContext(sdk, trace.setSpan(ROOT_CONTEXT, span));
  span.end();
  const attributes = Object.fromEntries(Object.entries(sdk).map(([name, value]) => [name, { DataType: value.DataType, StringValue: value.StringValue ?? '' }]));
  return { attributes, producer: span.spanContext() };
}

/** The record SNS delivers to a subscribed queue without raw message delivery. */
const envelopedRecord = (message: string, attributes: Record<string, PublishedAttribute>, awsTraceHeader?: string): SQSRecord =>
  lambdaRecord({
    body: snsNotificationBody({ messageId: 'sns-1', topicArn: TOPIC_ARN, subscriptionArn: `${TOPIC_ARN}:sub-1`, message, attributes, timestamp: new Date() }),
    ...(awsTraceHeader ? { awsTraceHeader } : {}),
  });

const spanOf = (record: SQSRecord): ReadableSpan | undefined => otel.spans().find((span) => span.attributes['messaging.message.id'] === record.messageId);
const linksOf = (span: ReadableSpan | undefined) => span?.links.map((link) => [link.context.traceId, link.context.spanId, link.context.traceFlags]);

/** One check per README sentence, in the README's order. */
const BEHAVIOUR: Array<[string, () => Promise<void>]> = [
  [
    "A record with a valid upstream context gets a span that, in `linkMode: 'parent'` (the default), is a child of the producer's span and links to the invocation span, and, in `linkMode: 'link'`, is a child of the invocation span and links to the producer's span; it carries `trace.has_upstream_context=true` and `trace.upstream_source`.",
    async () => {
      for (const linkMode of [undefined, 'link'] as Array<TraceLinkMode | undefined>) {
        otel.reset();
        const { record, producer } = produced();
        const { invocation } = await invoke([record], undefined, linkMode ? { linkMode } : {});
        const span = spanOf(record);
        const [parent, linked] = linkMode === 'link' ? [invocation, producer] : [producer, invocation];
        expect(span?.spanContext().traceId).toBe(parent.traceId);
        expect(parentSpanId(span!)).toBe(parent.spanId);
        expect(linksOf(span)).toEqual([[linked.traceId, linked.spanId, TraceFlags.SAMPLED]]);
        expect(span?.attributes).toMatchObject({ 'trace.has_upstream_context': true, 'trace.upstream_source': 'message_attributes' });
      }
    },
  ],
  [
    "A valid context marked unsampled (W3C flags without bit 0, X-Ray `Sampled=0`) is honoured like a sampled one, so in parent mode the producer's decision carries across the queue: under the SDK's default parent-based sampler the record's span and its children are not recorded, while the work runs and its log lines carry the producer's trace id.",
    async () => {
      const records = [
        lambdaRecord({ messageAttributes: { traceparent: stringAttribute(traceparent('00')) } }),
        lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(xrayHeader('0')) } }),
        lambdaRecord({ awsTraceHeader: xrayHeader('0') }),
      ];
      const seen: Array<{ traceId: string; sampled: boolean }> = [];
      await invoke(records, async (_record, { span, logger }) => {
        trace.getTracer('aws-sdk').startSpan('DynamoDB.PutItem').end();
        const { traceId, traceFlags } = span.spanContext();
        seen.push({ traceId, sampled: (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED });
        logger.info('worked');
      });
      expect(seen).toEqual(records.map(() => ({ traceId: TRACE_ID, sampled: false })));
      // Only the invocation was recorded: no record span, no child.
      expect(otel.spans().map((span) => span.name)).toEqual(['invocation']);
      expect(lines.filter((line) => line.message === 'worked').map((line) => line.traceId)).toEqual(records.map(() => TRACE_ID));
    },
  ],
  [
    'In link mode, a record with an unsampled upstream context gets a span that is a child of the invocation span with a link to the unsampled producer span.',
    async () => {
      const record = lambdaRecord({ messageAttributes: { traceparent: stringAttribute(traceparent('00')) } });
      const { invocation } = await invoke([record], undefined, { linkMode: 'link' });
      const span = spanOf(record);
      expect(parentSpanId(span!)).toBe(invocation.spanId);
      expect(span?.spanContext().traceId).toBe(invocation.traceId);
      expect(linksOf(span)).toEqual([[TRACE_ID, SPAN_ID, TraceFlags.NONE]]);
      expect(span?.attributes['trace.has_upstream_context']).toBe(true);
    },
  ],
  [
    'A record without upstream context gets a span that is a child of the invocation span (the span active when `processSqsBatch` is called), or a root span when none is active, with `trace.has_upstream_context=false` and no link, and is processed like any other record.',
    async () => {
      const seen: string[] = [];
      const work: RecordWork = async (record) => void seen.push(record.messageId);
      for (const linkMode of ['parent', 'link'] as TraceLinkMode[]) {
        otel.reset();
        const record = lambdaRecord();
        const { invocation, response } = await invoke([record], work, { linkMode });
        const span = spanOf(record);
        expect(parentSpanId(span!)).toBe(invocation.spanId);
        expect(span?.spanContext().traceId).toBe(invocation.traceId);
        expect(span?.links).toEqual([]);
        expect(span?.attributes['trace.has_upstream_context']).toBe(false);
        expect(span?.attributes['trace.upstream_source']).toBeUndefined();
        expect(response.batchItemFailures).toEqual([]);
      }
      otel.reset();
      const orphan = lambdaRecord();
      await processSqsBatch(lambdaEvent([orphan]), work, { logger: createLogger({}, () => undefined) });
      expect(spanOf(orphan)?.parentSpanContext).toBeUndefined();
      expect(spanOf(orphan)?.links).toEqual([]);
      expect(seen).toHaveLength(3);
    },
  ],
  [
    'A malformed header is ignored as if it were absent: the next source is read, and a record with nothing else valid is a record without upstream context.',
    async () => {
      const other = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
      const fallsBack = lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute('Root=1-5759e988-bd86;Parent=53995c3f42cd8ad8;Sampled=1') }, awsTraceHeader: other });
      const nothingElse = lambdaRecord({ messageAttributes: { traceparent: stringAttribute('00-not-a-trace-01'), 'x-amzn-trace-id': stringAttribute('Root=garbage') }, awsTraceHeader: 'Parent=;' });
      const { invocation } = await invoke([fallsBack, nothingElse]);
      expect(spanOf(fallsBack)?.spanContext().traceId).toBe('11111111222222222222222222222222');
      expect(spanOf(fallsBack)?.attributes['trace.upstream_source']).toBe('aws_trace_header');
      expect(parentSpanId(spanOf(nothingElse)!)).toBe(invocation.spanId);
      expect(spanOf(nothingElse)?.attributes['trace.has_upstream_context']).toBe(false);
    },
  ],
  [
    'An X-Ray header whose `Sampled` is neither `0` nor `1` (such as `Sampled=?`) is malformed.',
    async () => {
      const deferred = lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(xrayHeader('?')) } });
      expect(extractUpstreamContext(deferred)).toBeUndefined();
      const { invocation } = await invoke([deferred]);
      expect(parentSpanId(spanOf(deferred)!)).toBe(invocation.spanId);
    },
  ],
  [
    'Reading context never throws and never fails a record.',
    async () => {
      const throwing: TextMapPropagator = {
        inject: () => undefined,
        extract: () => {
          throw new Error('a broken propagator');
        },
        fields: () => ['traceparent'],
      };
      propagation.disable();
      propagation.setGlobalPropagator(throwing);
      const hostile = lambdaRecord({ messageAttributes: { traceparent: stringAttribute(traceparent('01')) }, awsTraceHeader: xrayHeader('1') });
      (hostile.messageAttributes as Record<string, unknown>)['x-amzn-trace-id'] = null;
      (hostile.messageAttributes as Record<string, unknown>).tracestate = 42;
      expect(() => extractUpstreamContext(hostile)).not.toThrow();
      const { response } = await invoke([hostile]);
      expect(response.batchItemFailures).toEqual([]);
      // The broken global propagator is skipped; the next source still places the record.
      expect(spanOf(hostile)?.attributes['trace.upstream_source']).toBe('aws_trace_header');
    },
  ],
  [
    'A record whose work throws or rejects gets an `exception` event and ERROR status on its span and is listed in `batchItemFailures`, in delivery order, while the other records are unaffected.',
    async () => {
      const records = Array.from({ length: 5 }, () => produced().record);
      const failing = new Set([records[3]!.messageId, records[1]!.messageId]);
      const { response } = await invoke(records, async (record) => {
        if (record.messageId === records[1]!.messageId) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rejected later');
        }
        if (record.messageId === records[3]!.messageId) throw new Error('thrown at once');
      });
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }, { itemIdentifier: records[3]!.messageId }]);
      for (const record of records) {
        const span = spanOf(record)!;
        const fails = failing.has(record.messageId);
        expect(span.status.code).toBe(fails ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
        expect(span.events.filter((event) => event.name === 'exception')).toHaveLength(fails ? 1 : 0);
      }
    },
  ],
  [
    "For each failed record the runner writes one ERROR line, `record failed; it will be retried`, with the error's name and message, the record's `messageId` and its trace ids, unless `logFailures: false`.",
    async () => {
      const { record, producer } = produced();
      const fail: RecordWork = async () => {
        throw new TypeError('bad order');
      };
      await invoke([record], fail);
      const span = spanOf(record)!;
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'record failed; it will be retried',
          error: { name: 'TypeError', message: 'bad order' },
          messageId: record.messageId,
          traceId: producer.traceId,
          spanId: span.spanContext().spanId,
        }),
      ]);
      lines.length = 0;
      const { response } = await invoke([record], fail, { logFailures: false });
      expect(lines).toEqual([]);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    },
  ],
  [
    'Each record\'s span is named `process <queue name>`, the queue name taken from the record\'s `eventSourceARN` (`process` alone when there is none), and is started by the tracer named `@webhook-tracing/sqs-otel`, unless `spanName` or `tracer` says otherwise.',
    async () => {
      expect(QUEUE_ARN.endsWith(':webhooks')).toBe(true);
      const named = lambdaRecord();
      const orders = { ...lambdaRecord(), eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders.fifo' };
      const unnamed = { ...lambdaRecord(), eventSourceARN: undefined as unknown as string };
      await invoke([named, orders, unnamed]);
      expect([named, orders, unnamed].map((record) => spanOf(record)?.name)).toEqual([RECORD_SPAN, 'process orders.fifo', 'process']);
      expect(spanOf(named)?.instrumentationScope.name).toBe('@webhook-tracing/sqs-otel');
      otel.reset();
      await invoke([named], undefined, { spanName: 'process-order', tracer: trace.getTracer('my-team') });
      expect(spanOf(named)).toMatchObject({ name: 'process-order', instrumentationScope: { name: 'my-team' } });
    },
  ],
  [
    "A record whose body is an SNS notification (JSON with `Type` `Notification` and string `Message`, `MessageId` and `TopicArn`: a subscription without raw message delivery) gets its context from the envelope's `MessageAttributes`, in the same order, as `sns_message_attributes`, `sns_message_attributes_xray`, `aws_trace_header` and `sns_message_attributes_w3c`, and its span carries `aws.sns.topic.arn`.",
    async () => {
      const { attributes, producer } = publishedAttributes();
      const byGlobal = envelopedRecord('{}', attributes);
      const byXray = envelopedRecord('{}', { 'X-Amzn-Trace-Id': { DataType: 'String', StringValue: xrayHeader('1') } });
      const byHeader = envelopedRecord('{}', { traceparent: { DataType: 'String', StringValue: '00-garbage' } }, xrayHeader('1'));
      const byW3c = envelopedRecord('{}', { traceparent: { DataType: 'String', StringValue: traceparent('01') } });
      // The global propagator here is W3C and X-Ray: the X-Ray attribute is read by the global
      // one first, so the explicit X-Ray fallback is shown under W3C alone below.
      await invoke([byGlobal, byHeader]);
      expect(spanOf(byGlobal)?.spanContext().traceId).toBe(producer.traceId);
      expect(parentSpanId(spanOf(byGlobal)!)).toBe(producer.spanId);
      expect(spanOf(byGlobal)?.attributes).toMatchObject({ 'trace.upstream_source': 'sns_message_attributes', 'aws.sns.topic.arn': TOPIC_ARN });
      expect(spanOf(byHeader)?.attributes).toMatchObject({ 'trace.upstream_source': 'aws_trace_header', 'aws.sns.topic.arn': TOPIC_ARN });
      propagation.disable();
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      expect(extractUpstreamContext(byXray)).toMatchObject({ source: 'sns_message_attributes_xray', spanContext: { traceId: TRACE_ID } });
      propagation.disable();
      propagation.setGlobalPropagator(new AWSXRayPropagator());
      expect(extractUpstreamContext(byW3c)).toMatchObject({ source: 'sns_message_attributes_w3c', spanContext: { traceId: TRACE_ID } });
    },
  ],
  [
    "The work gets such a record with the envelope's `Message` as its body, exactly as published, and the envelope's `MessageAttributes` as its message attributes in Lambda's shape, everything else as SQS delivered it, and the envelope in `scope.envelope`; with `snsEnvelope: 'keep'` it gets the record as SQS delivered it.",
    async () => {
      const message = '{"id":"o-1","note":"\\"quoted\\", Zoë 🧾\\n"}';
      const record = envelopedRecord(message, { kind: { DataType: 'String', StringValue: 'order' } });
      const seen: Array<[SQSRecord, RecordScope['envelope']]> = [];
      await invoke([record], async (delivered, scope) => void seen.push([delivered, scope.envelope]));
      await invoke([record], async (delivered, scope) => void seen.push([delivered, scope.envelope]), { snsEnvelope: 'keep' });
      const [[unwrapped, envelope], [kept, keptEnvelope]] = seen as [[SQSRecord, RecordScope['envelope']], [SQSRecord, RecordScope['envelope']]];
      expect(unwrapped.body).toBe(message);
      expect(unwrapped.messageAttributes).toEqual({ kind: { dataType: 'String', stringValue: 'order', stringListValues: [], binaryListValues: [] } });
      expect({ ...unwrapped, body: record.body, messageAttributes: record.messageAttributes }).toEqual(record);
      expect(envelope).toMatchObject({ messageId: 'sns-1', topicArn: TOPIC_ARN, message });
      expect(kept).toEqual(record);
      expect(keptEnvelope?.message).toBe(message);
    },
  ],
  [
    "A record that SNS delivered with raw message delivery holds the published message as its body and the published message attributes as SQS message attributes, and is read like a record sent to the queue directly (`message_attributes`).",
    async () => {
      const { attributes, producer } = publishedAttributes();
      const raw = lambdaRecord({ body: '{"id":"o-1"}', messageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, stringAttribute(value.StringValue ?? '')])) });
      const seen: string[] = [];
      await invoke([raw], async (delivered) => void seen.push(delivered.body));
      expect(spanOf(raw)?.spanContext().traceId).toBe(producer.traceId);
      expect(spanOf(raw)?.attributes['trace.upstream_source']).toBe('message_attributes');
      expect(spanOf(raw)?.attributes['aws.sns.topic.arn']).toBeUndefined();
      expect(seen).toEqual(['{"id":"o-1"}']);
    },
  ],
  [
    'A body that is not a complete SNS notification is not an envelope: the record\'s context is read from its SQS message attributes and the work gets it as delivered.',
    async () => {
      const { record, producer } = produced();
      const almost = { ...record, body: JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', TopicArn: TOPIC_ARN, Message: { not: 'a string' } }) };
      const seen: string[] = [];
      await invoke([almost], async (delivered) => void seen.push(delivered.body));
      expect(seen).toEqual([almost.body]);
      expect(spanOf(almost)?.spanContext().traceId).toBe(producer.traceId);
      expect(spanOf(almost)?.attributes['trace.upstream_source']).toBe('message_attributes');
    },
  ],
];

describe('the library README, sentence by sentence', () => {
  beforeEach(() => {
    otel = installOtel(['tracecontext', 'xray']);
    lines.length = 0;
  });
  afterEach(async () => otel.shutdown());

  it('lists exactly the behaviour this file tests, in the same order', () => {
    expect(readmeBehaviour()).toEqual(BEHAVIOUR.map(([sentence]) => sentence));
  });

  it.each(BEHAVIOUR)('%s', async (_sentence, check) => check());
});
