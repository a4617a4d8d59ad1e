// The tracing library across SNS: a record delivered by an SNS subscription without raw message
// delivery holds the notification envelope in its body; with raw delivery it holds the message
// and SNS's message attributes as SQS ones. Both must put the record's span on the publisher's
// trace, and the work must get the published message exactly as sent.
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { extractUpstreamContext } from '../functions/lib/extract';
import { injectTraceContext } from '../functions/lib/inject';
import { createLogger } from '../functions/lib/logger';
import { processSqsBatch, type BatchOptions, type RecordScope } from '../functions/lib/record-runner';
import { snsEnvelopeOf, unwrapSnsEnvelope } from '../functions/lib/sns-envelope';
import type { SdkMessageAttributes } from '../functions/lib/sqs-carrier';
import { snsNotificationBody, type PublishedAttribute } from '../local-runtime/local-aws/sns-notification';
import { installOtel, parentSpanId, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:webhooks';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const SPAN_ID = '53995c3f42cd8ad8';
const XRAY = `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN_ID};Sampled=1`;
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
/** A signed webhook body with what escaping must survive: quotes, backslashes, newlines, non-ASCII, an escaped U+FFFE. */
const SIGNED = '{"id":"evt_1","type":"invoice.paid","note":"a \\"quoted\\" \\\\ line\\nnext","name":"Zoë 🧾 東京","odd":"\\ufffe"}\n';

/** The SQS record SNS delivers to a subscribed queue without raw message delivery. */
function enveloped(message: string, attributes: Record<string, PublishedAttribute>, awsTraceHeader?: string): SQSRecord {
  const body = snsNotificationBody({ messageId: randomUUID(), topicArn: TOPIC_ARN, subscriptionArn: `${TOPIC_ARN}:${randomUUID()}`, message, attributes, timestamp: new Date() });
  return lambdaRecord({ body, ...(awsTraceHeader ? { awsTraceHeader } : {}) });
}

const asPublished = (attributes: SdkMessageAttributes): Record<string, PublishedAttribute> =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: value.DataType, ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}) }]));

describe('SNS notification envelopes', () => {
  let otel: OtelHarness;
  beforeEach(() => {
    otel = installOtel(['xray']);
  });
  afterEach(async () => otel.shutdown());

  it('reads an envelope as SNS writes it: the message as published, the attributes in Lambda’s shape', () => {
    const record = enveloped(SIGNED, { 'webhook-body-encoding': { DataType: 'String', StringValue: 'verbatim' }, amount: { DataType: 'Number', StringValue: '42' }, blob: { DataType: 'Binary', BinaryValue: 'AAEC' } });
    const envelope = snsEnvelopeOf(record);
    expect(envelope).toMatchObject({ topicArn: TOPIC_ARN, message: SIGNED });
    expect(envelope?.messageAttributes).toEqual({
      'webhook-body-encoding': { dataType: 'String', stringValue: 'verbatim', stringListValues: [], binaryListValues: [] },
      amount: { dataType: 'Number', stringValue: '42', stringListValues: [], binaryListValues: [] },
      blob: { dataType: 'Binary', binaryValue: 'AAEC', stringListValues: [], binaryListValues: [] },
    });
    const unwrapped = unwrapSnsEnvelope(record, envelope!);
    expect(unwrapped).toMatchObject({ body: SIGNED, messageId: record.messageId, attributes: record.attributes, eventSourceARN: record.eventSourceARN });
  });

  it.each([
    ['not JSON', 'hello "TopicArn"'],
    ['a JSON array', '["TopicArn"]'],
    ['another Type', JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'x', MessageId: 'm', TopicArn: TOPIC_ARN })],
    ['no Message', JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: TOPIC_ARN })],
    ['a Message that is not a string', JSON.stringify({ Type: 'Notification', Message: { id: 1 }, MessageId: 'm', TopicArn: TOPIC_ARN })],
    ['a TopicArn that is no ARN', JSON.stringify({ Type: 'Notification', Message: 'x', MessageId: 'm', TopicArn: 'webhooks' })],
    ['a webhook that only mentions TopicArn', JSON.stringify({ id: 'evt_1', type: 'x', data: { TopicArn: TOPIC_ARN } })],
  ])('is no envelope: %s', (_what, body) => {
    expect(snsEnvelopeOf(lambdaRecord({ body }))).toBeUndefined();
  });

  it('skips malformed attributes of an envelope instead of failing', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: 'x', MessageId: 'm', TopicArn: TOPIC_ARN, MessageAttributes: { ok: { Type: 'String', Value: 'v' }, noValue: { Type: 'String' }, odd: 7 } });
    expect(Object.keys(snsEnvelopeOf(lambdaRecord({ body }))?.messageAttributes ?? {})).toEqual(['ok']);
  });

  it.each<[string, Record<string, PublishedAttribute>, string | undefined, string]>([
    ['the global propagator', { 'x-amzn-trace-id': { DataType: 'String', StringValue: XRAY } }, undefined, 'sns_message_attributes'],
    ['traceparent under xray (an OpenTelemetry-default publisher)', { traceparent: { DataType: 'String', StringValue: TRACEPARENT } }, undefined, 'sns_message_attributes_w3c'],
    ['AWSTraceHeader, as SNS sets it for its subscribed queues', {}, XRAY, 'aws_trace_header'],
  ])('extracts the context of an enveloped record from %s', (_what, attributes, header, source) => {
    const upstream = extractUpstreamContext(enveloped('{}', attributes, header));
    expect(upstream).toMatchObject({ source, spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true } });
  });

  it('reads a capitalised X-Amzn-Trace-Id in an envelope through the explicit X-Ray fallback under W3C', async () => {
    await otel.shutdown();
    otel = installOtel(['tracecontext']);
    expect(extractUpstreamContext(enveloped('{}', { 'X-Amzn-Trace-Id': { DataType: 'String', StringValue: XRAY } }))?.source).toBe('sns_message_attributes_xray');
  });

  it('prefers the envelope’s attributes over AWSTraceHeader, and ignores the envelope’s context for a raw record', () => {
    const other = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1';
    expect(extractUpstreamContext(enveloped('{}', { 'x-amzn-trace-id': { DataType: 'String', StringValue: XRAY } }, other))?.spanContext.traceId).toBe(TRACE_ID);
    // Raw delivery: SNS's attributes are SQS message attributes, read as from a direct send.
    expect(extractUpstreamContext(lambdaRecord({ body: SIGNED, messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) } }))?.source).toBe('message_attributes');
  });

  it('parses an envelope once per record, however often its context and body are read', () => {
    const record = enveloped('{}', {});
    const parse = jest.spyOn(JSON, 'parse');
    try {
      for (let i = 0; i < 3; i++) {
        extractUpstreamContext(record);
        snsEnvelopeOf(record);
      }
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  describe('processSqsBatch', () => {
    /** Publishes on a producer span of its own: the attributes the SDK would carry to SNS. */
    function published(): { attributes: SdkMessageAttributes; traceId: string; spanId: string } {
      const producer = trace.getTracer('producer').startSpan('send webhooks', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
      const attributes: SdkMessageAttributes = { 'webhook-body-encoding': { DataType: 'String', StringValue: 'verbatim' } };
      injectTraceContext(attributes, trace.setSpan(ROOT_CONTEXT, producer));
      producer.end();
      return { attributes, ...producer.spanContext() };
    }

    async function run(records: SQSRecord[], options: BatchOptions = {}): Promise<Array<{ record: SQSRecord; scope: RecordScope }>> {
      const seen: Array<{ record: SQSRecord; scope: RecordScope }> = [];
      const invocation = trace.getTracer('aws-lambda').startSpan('consumer', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
        processSqsBatch(lambdaEvent(records), async (record, scope) => void seen.push({ record, scope }), { logger: createLogger({}, () => undefined), ...options }),
      );
      invocation.end();
      return seen;
    }

    it('puts raw and enveloped deliveries of one publish on the publisher’s trace, and gives the work the message byte for byte', async () => {
      const { attributes, traceId, spanId } = published();
      const raw = lambdaRecord({ body: SIGNED, messageAttributes: attributes as Record<string, MessageAttributeValue> });
      const wrapped = enveloped(SIGNED, asPublished(attributes));
      const seen = await run([raw, wrapped]);
      for (const record of [raw, wrapped]) {
        const span = otel.spans().find((s) => s.attributes['messaging.message.id'] === record.messageId)!;
        expect(span.spanContext().traceId).toBe(traceId);
        expect(parentSpanId(span)).toBe(spanId);
        const work = seen.find((entry) => entry.record.messageId === record.messageId)!;
        expect(Buffer.from(work.record.body)).toEqual(Buffer.from(SIGNED));
        expect(work.record.messageAttributes['webhook-body-encoding']?.stringValue).toBe('verbatim');
      }
      const wrappedSpan = otel.spans().find((s) => s.attributes['messaging.message.id'] === wrapped.messageId)!;
      expect(wrappedSpan.attributes).toMatchObject({ 'trace.upstream_source': 'sns_message_attributes', 'aws.sns.topic.arn': TOPIC_ARN });
      expect(otel.spans().find((s) => s.attributes['messaging.message.id'] === raw.messageId)?.attributes['aws.sns.topic.arn']).toBeUndefined();
      expect(seen.find((entry) => entry.record.messageId === wrapped.messageId)?.scope.envelope?.topicArn).toBe(TOPIC_ARN);
    });

    it("snsEnvelope: 'keep' gives the work the record as SQS delivered it, the envelope beside it", async () => {
      const { attributes, traceId } = published();
      const wrapped = enveloped(SIGNED, asPublished(attributes));
      const [entry] = await run([wrapped], { snsEnvelope: 'keep' });
      expect(entry?.record.body).toBe(wrapped.body);
      expect(entry?.scope.envelope?.message).toBe(SIGNED);
      expect(otel.spans().find((s) => s.attributes['messaging.message.id'] === wrapped.messageId)?.spanContext().traceId).toBe(traceId);
    });
  });
});
