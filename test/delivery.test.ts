import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { deliveryAttributes } from '../functions/lib/delivery';
import { createLogger } from '../functions/lib/logger';
import { processSqsBatch } from '../functions/lib/record-runner';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord } from './support/records';

const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function delivered(attributes: Partial<SQSRecord['attributes']>): SQSRecord {
  const record = lambdaRecord();
  const kept = { ...record.attributes } as Record<string, string | undefined>;
  delete kept.ApproximateReceiveCount;
  delete kept.SentTimestamp;
  return { ...record, attributes: { ...kept, ...attributes } as SQSRecord['attributes'] };
}

describe('deliveryAttributes', () => {
  it('reads the delivery attempt and the queue wait', () => {
    expect(deliveryAttributes(delivered({ ApproximateReceiveCount: '3', SentTimestamp: String(NOW - 61_500) }), NOW)).toEqual({
      'aws.sqs.message.delivery_count': 3,
      'aws.sqs.message.queue_wait_ms': 61_500,
    });
  });

  it.each<[string, Partial<SQSRecord['attributes']>]>([
    ['both missing', {}],
    ['non-numeric values', { ApproximateReceiveCount: 'many', SentTimestamp: 'yesterday' }],
    ['a zero receive count and a negative timestamp', { ApproximateReceiveCount: '0', SentTimestamp: '-5' }],
    ['fractions', { ApproximateReceiveCount: '1.5', SentTimestamp: '1.5e12' }],
  ])('leaves the attributes out on %s, without throwing', (_label, attributes) => {
    expect(deliveryAttributes(delivered(attributes), NOW)).toEqual({});
  });

  it('copes with a record that has no attributes object at all', () => {
    expect(deliveryAttributes({}, NOW)).toEqual({});
  });

  it('clamps the wait at 0 when the function clock is behind SQS', () => {
    expect(deliveryAttributes(delivered({ SentTimestamp: String(NOW + 40) }), NOW)).toEqual({ 'aws.sqs.message.queue_wait_ms': 0 });
  });
});

describe('each record\'s span carries the delivery attributes', () => {
  let otel: OtelHarness;
  beforeEach(() => {
    otel = installOtel(['xray']);
  });
  afterEach(async () => otel.shutdown());

  it('sets them per record, each from its own message', async () => {
    const first = delivered({ ApproximateReceiveCount: '1', SentTimestamp: String(NOW - 120) });
    const retried = delivered({ ApproximateReceiveCount: '4', SentTimestamp: String(NOW - 95_000) });
    const bare = delivered({});
    const invocation = trace.getTracer('aws-lambda').startSpan('invocation', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () =>
      processSqsBatch(lambdaEvent([first, retried, bare]), async () => undefined, { logger: createLogger({}, () => undefined), now: () => NOW }),
    );
    invocation.end();
    const spanOf = (record: SQSRecord) => otel.spansNamed('process webhooks').find((s) => s.attributes['messaging.message.id'] === record.messageId)!;
    expect(spanOf(first).attributes).toMatchObject({ 'aws.sqs.message.delivery_count': 1, 'aws.sqs.message.queue_wait_ms': 120 });
    expect(spanOf(retried).attributes).toMatchObject({ 'aws.sqs.message.delivery_count': 4, 'aws.sqs.message.queue_wait_ms': 95_000 });
    expect(spanOf(bare).attributes).not.toHaveProperty('aws.sqs.message.delivery_count');
    expect(spanOf(bare).attributes).not.toHaveProperty('aws.sqs.message.queue_wait_ms');
  });
});
