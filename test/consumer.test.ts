import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ROOT_CONTEXT, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { SQSRecord } from 'aws-lambda';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { createEventsTable, dynamoClient, scanTable } from './support/aws';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

/** A record as this project's producer sends it: the signed text as the body, its encoding as an attribute. */
function signedRecord(body: string, encoding = 'verbatim'): SQSRecord {
  return lambdaRecord({ body, messageAttributes: { 'webhook-body-encoding': stringAttribute(encoding) } });
}

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

  it('stores the signed text itself as payload, verbatim or escaped, never a re-serialization', async () => {
    const deep = `{"id":"evt_deep","type":"t","data":${'['.repeat(5000)}1e20${']'.repeat(5000)}}`;
    const escapes = '{"id":"evt_escapes", "type":"t","n":1e20,"s":"\\uFFFE\\ud800"}';
    const raw = '{"id":"evt_raw","type":"t","s":"100% \ufffe"}';
    const records = [signedRecord(deep), signedRecord(escapes), signedRecord('{"id":"evt_raw","type":"t","s":"100%25 %uFFFE"}', 'escaped')];
    expect((await consumer()(lambdaEvent(records))).batchItemFailures).toEqual([]);
    const payloads = Object.fromEntries((await scanTable(dynamodb, table)).map((item) => [item.eventId, item.payload]));
    expect(payloads).toEqual({ evt_deep: deep, evt_escapes: escapes, evt_raw: raw });
  });

  it('stores a record that has no attributes or message attributes (hand-built or replayed), beside a good one', async () => {
    const bare = signedRecord('{"id":"evt_bare","type":"invoice.paid"}');
    delete (bare as Partial<SQSRecord>).attributes;
    const legacy = lambdaRecord({ body: { eventId: 'evt_legacy_bare', type: 'invoice.paid', payload: { id: 'evt_legacy_bare' } } });
    delete (legacy as Partial<SQSRecord>).attributes;
    delete (legacy as Partial<SQSRecord>).messageAttributes;
    const good = webhookRecord('evt_neighbour');
    const response = await consumer()(lambdaEvent([bare, legacy, good]));
    expect(response.batchItemFailures).toEqual([]);
    const items = await scanTable(dynamodb, table);
    expect(items.map((item) => item.eventId).sort()).toEqual(['evt_bare', 'evt_legacy_bare', 'evt_neighbour']);
    // Without SentTimestamp the time of processing stands in for the time of receipt.
    expect(items.find((item) => item.eventId === 'evt_bare')!.receivedAt).toBe('2026-11-24T10:00:05.000Z');
  });

  it.each([
    ['an unknown body encoding', signedRecord('{"id":"evt_x","type":"t"}', 'gzip'), 'unknown webhook-body-encoding "gzip"'],
    ['an escaped body with a stray %', signedRecord('{"id":"evt_x","type":"t","s":"100%"}', 'escaped'), 'escaped message body has a % that starts no escape'],
    ['a signed body without id', signedRecord('{"type":"t"}'), 'event has no string id'],
  ])('fails only the record with %s', async (_label, bad, message) => {
    const good = webhookRecord('evt_good');
    const response = await consumer()(lambdaEvent([good, bad]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    const failed = otel.spansNamed('process-webhook').find((s) => s.attributes['messaging.message.id'] === bad.messageId)!;
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message });
  });
});
