// The consumer's side of several sources: a /webhooks/<source> message names its event in
// attributes and is stored under <source>#<id>; a /webhook message keeps its bare key, so items
// stored before sources existed still de-duplicate what Stripe delivers again after the upgrade.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { createEventsTable, dynamoClient, scanTable } from './support/aws';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord, stringAttribute } from './support/records';

function sourceRecord(source: string, id: string, type: string, body: string): SQSRecord {
  return lambdaRecord({
    body,
    messageAttributes: {
      'webhook-body-encoding': stringAttribute('verbatim'),
      'webhook-source': stringAttribute(source),
      'webhook-event-id': stringAttribute(id),
      'webhook-event-type': stringAttribute(type),
    },
  });
}

const defaultRecord = (id: string, source?: string) =>
  lambdaRecord({
    body: JSON.stringify({ id, type: 'invoice.paid' }),
    messageAttributes: { 'webhook-body-encoding': stringAttribute('verbatim'), ...(source ? { 'webhook-source': stringAttribute(source) } : {}) },
  });

describe('consumer with several sources', () => {
  let otel: OtelHarness;
  let dynamodb: DynamoDBClient;
  let table: string;
  let lines: Record<string, unknown>[];
  const consumer = () =>
    createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: table }), dynamodb, logger: createLogger({ component: 'consumer' }, (line) => lines.push(JSON.parse(line))) });

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

  it('stores a /webhooks/<source> event under <source>#<id> with its source and sender id, whatever its body (Shopify may send XML)', async () => {
    const xml = '<?xml version="1.0"?><order><id>1</id></order>';
    const response = await consumer()(lambdaEvent([sourceRecord('shopify', 'e-1', 'orders/create', xml), sourceRecord('github', 'e-1', 'push', '{"ref":"main"}')]));
    expect(response.batchItemFailures).toEqual([]);
    const items = (await scanTable(dynamodb, table)).sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
    expect(items.map(({ eventId, source, sourceEventId, type, payload }) => ({ eventId, source, sourceEventId, type, payload }))).toEqual([
      { eventId: 'github#e-1', source: 'github', sourceEventId: 'e-1', type: 'push', payload: '{"ref":"main"}' },
      { eventId: 'shopify#e-1', source: 'shopify', sourceEventId: 'e-1', type: 'orders/create', payload: xml },
    ]);
    const spans = otel.spansNamed('process-webhook').map((span) => span.attributes);
    expect(spans).toEqual(expect.arrayContaining([expect.objectContaining({ 'webhook.source': 'shopify', 'webhook.event_id': 'e-1', 'webhook.type': 'orders/create' })]));
    expect(lines.filter((line) => line.message === 'webhook stored').map((line) => [line.source, line.eventId])).toEqual(expect.arrayContaining([['github', 'e-1'], ['shopify', 'e-1']]));
  });

  it('de-duplicates per source: a redelivery of the same source is a duplicate, another source’s same id is not', async () => {
    const handler = consumer();
    await handler(lambdaEvent([sourceRecord('github', 'd-1', 'push', '{}')]));
    await handler(lambdaEvent([sourceRecord('github', 'd-1', 'push', '{}'), sourceRecord('svix', 'd-1', 'push', '{}')]));
    expect((await scanTable(dynamodb, table)).map((item) => item.eventId).sort()).toEqual(['github#d-1', 'svix#d-1']);
    expect(otel.spansNamed('process-webhook').filter((span) => span.attributes['webhook.duplicate'] === true).map((span) => span.attributes['webhook.source'])).toEqual(['github']);
  });

  it('keeps /webhook’s bare keys across the upgrade: an item stored before sources existed de-duplicates the same event sent again', async () => {
    // As 0.3 stored it: the bare id, no source field.
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { eventId: { S: 'evt_before' }, type: { S: 'invoice.paid' }, payload: { S: '{}' } } }));
    const response = await consumer()(lambdaEvent([defaultRecord('evt_before', 'stripe'), defaultRecord('evt_after', 'stripe'), defaultRecord('evt_queued_before_upgrade')]));
    expect(response.batchItemFailures).toEqual([]);
    const items = await scanTable(dynamodb, table);
    expect(items.map((item) => [item.eventId, item.source ?? '(none)']).sort()).toEqual([
      ['evt_after', 'stripe'],
      ['evt_before', '(none)'],
      ['evt_queued_before_upgrade', '(none)'],
    ]);
    expect(items.every((item) => item.sourceEventId === undefined)).toBe(true);
    expect(otel.spansNamed('process-webhook').find((span) => span.attributes['webhook.event_id'] === 'evt_before')?.attributes['webhook.duplicate']).toBe(true);
  });

  it('fails (and retries) a message naming an event id without its source: its key cannot be known', async () => {
    const record = lambdaRecord({ body: '{}', messageAttributes: { 'webhook-body-encoding': stringAttribute('verbatim'), 'webhook-event-id': stringAttribute('x') } });
    const response = await consumer()(lambdaEvent([record]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(otel.spansNamed('process-webhook')[0]?.status.message).toBe('message has webhook-event-id but no webhook-source');
  });
});
