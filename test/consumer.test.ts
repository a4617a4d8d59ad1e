import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ROOT_CONTEXT, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { createEventsTable, dynamoClient, scanTable } from './support/aws';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

const UPSTREAM_TRACE = '5759e988bd862e3fe1be46a994272793';
const XRAY = `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`;

function webhookRecord(eventId: string, extra: Partial<{ type: string; messageId: string }> = {}): SQSRecord {
  return lambdaRecord({
    messageId: extra.messageId,
    body: { eventId, type: extra.type ?? 'customer.subscription.updated', receivedAt: '2026-11-24T10:00:00.000Z', payload: { id: eventId, object: 'event' } },
  });
}

describe('consumer handler', () => {
  let otel: OtelHarness;
  let dynamodb: DynamoDBClient;
  let table: string;
  let lines: Record<string, unknown>[];
  const clock = Date.parse('2026-11-24T10:00:05.000Z');

  const consumer = (env: Record<string, string> = {}) =>
    createConsumerHandler({
      config: loadConsumerConfig({ TABLE_NAME: table, ...env }),
      dynamodb,
      logger: createLogger({ component: 'consumer' }, (line) => lines.push(JSON.parse(line))),
      now: () => clock,
    });

  beforeAll(() => {
    otel = installOtel(['xray']);
    dynamodb = dynamoClient();
  });
  afterAll(async () => otel.shutdown());
  beforeEach(async () => {
    otel.reset();
    lines = [];
    table = await createEventsTable(dynamodb);
  });

  it('writes one item per event, leading back to its trace', async () => {
    const record = lambdaRecord({
      messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) },
      body: { eventId: 'evt_item', type: 'invoice.paid', receivedAt: '2026-11-24T10:00:00.000Z', payload: { id: 'evt_item', amount: 5 } },
    });
    const response = await consumer()(lambdaEvent([record]));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await scanTable(dynamodb, table)).toEqual([
      {
        eventId: 'evt_item',
        type: 'invoice.paid',
        payload: JSON.stringify({ id: 'evt_item', amount: 5 }),
        receivedAt: '2026-11-24T10:00:00.000Z',
        processedAt: '2026-11-24T10:00:05.000Z',
        messageId: record.messageId,
        traceId: UPSTREAM_TRACE,
      },
    ]);
    const [span] = otel.spansNamed('process-webhook');
    expect(span!.attributes).toMatchObject({ 'webhook.event_id': 'evt_item', 'webhook.type': 'invoice.paid', 'webhook.duplicate': false, 'trace.has_upstream_context': true });
  });

  it('counts a redelivered or re-sent event as success without a second item', async () => {
    const handler = consumer();
    await handler(lambdaEvent([webhookRecord('evt_dup')]));
    const again = await handler(lambdaEvent([webhookRecord('evt_dup'), webhookRecord('evt_dup')]));
    expect(again.batchItemFailures).toEqual([]);
    const items = await scanTable(dynamodb, table);
    expect(items.map((item) => item.eventId)).toEqual(['evt_dup']);
    const duplicates = otel.spansNamed('process-webhook').filter((s) => s.attributes['webhook.duplicate'] === true);
    expect(duplicates).toHaveLength(2);
    expect(duplicates.every((s) => s.status.code === SpanStatusCode.UNSET)).toBe(true);
  });

  it.each([
    ['a body that is not JSON', 'not json at all', 'message body is not valid JSON'],
    ['a body without eventId', JSON.stringify({ type: 'invoice.paid' }), 'message body has no string eventId'],
  ])('fails only the record with %s', async (_label, body, message) => {
    const good = webhookRecord('evt_good');
    const bad = lambdaRecord({ body });
    const response = await consumer()(lambdaEvent([good, bad]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect((await scanTable(dynamodb, table)).map((item) => item.eventId)).toEqual(['evt_good']);
    const failed = otel.spansNamed('process-webhook').find((s) => s.attributes['messaging.message.id'] === bad.messageId)!;
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message });
    expect(failed.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.message': message } });
  });

  it('fails every record when DynamoDB errors, and says why on each span', async () => {
    const handler = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: 'no-such-table' }), dynamodb, logger: createLogger({}, () => undefined) });
    const records = [webhookRecord('evt_a'), webhookRecord('evt_b')];
    const response = await handler(lambdaEvent(records));
    expect(response.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.messageId })));
    for (const span of otel.spansNamed('process-webhook')) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.events[0]?.attributes?.['exception.type']).toBe('ResourceNotFoundException');
    }
  });

  it('logs JSON lines carrying traceId, eventId and messageId', async () => {
    const record = lambdaRecord({
      messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) },
      body: { eventId: 'evt_logged', type: 'invoice.paid', payload: {} },
    });
    await consumer()(lambdaEvent([record]));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'webhook stored', traceId: UPSTREAM_TRACE, eventId: 'evt_logged', messageId: record.messageId, component: 'consumer' }),
    ]);
  });

  it('link mode: records stay children of the invocation and link to the producer', async () => {
    const invocation = trace.getTracer('aws-lambda').startSpan('invocation', {}, ROOT_CONTEXT);
    const record = lambdaRecord({ messageAttributes: { 'x-amzn-trace-id': stringAttribute(XRAY) }, body: { eventId: 'evt_link', type: 't' } });
    await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () => consumer({ TRACE_LINK_MODE: 'link' })(lambdaEvent([record])));
    invocation.end();
    const [span] = otel.spansNamed('process-webhook');
    expect(span!.spanContext().traceId).toBe(invocation.spanContext().traceId);
    expect(span!.links[0]!.context.traceId).toBe(UPSTREAM_TRACE);
    // The item leads to the trace the record span is on.
    expect((await scanTable(dynamodb, table))[0]!.traceId).toBe(invocation.spanContext().traceId);
  });
});
