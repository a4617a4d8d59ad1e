import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createDynamoDbClient } from '../functions/consumer/dynamodb-client';
import { createLogger } from '../functions/lib/logger';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord } from './support/records';
import { startThrottlingDynamoDb, type ThrottlingDynamoDb, type ThrottlingOptions } from './support/throttling-dynamodb';

// The consumer's own DynamoDB client (functions/consumer/dynamodb-client.ts, built from the same
// settings as in Lambda) against a loopback endpoint that throttles, since moto never does.
const record = (eventId: string): SQSRecord => lambdaRecord({ body: { eventId, type: 'invoice.paid', payload: { id: eventId } } });

describe('consumer under DynamoDB throttling', () => {
  let otel: OtelHarness;
  let endpoint: ThrottlingDynamoDb | undefined;

  beforeAll(() => {
    otel = installOtel(['xray']);
  });
  afterAll(async () => otel.shutdown());
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  async function consume(env: Record<string, string>, options: ThrottlingOptions, records: SQSRecord[]) {
    endpoint = await startThrottlingDynamoDb(options);
    const config = loadConsumerConfig({ TABLE_NAME: 'events', ...env });
    const dynamodb = createDynamoDbClient(config, { endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const handler = createConsumerHandler({ config, dynamodb, logger: createLogger({}, () => undefined) });
    return handler(lambdaEvent(records));
  }

  // Four throttles need five attempts: more than the SDK's default for DynamoDB (4 in the SDK
  // installed here, 3 in older releases), so this passes only with the consumer's own setting.
  it('stores records that are throttled four times in a row', async () => {
    const ids = Array.from({ length: 4 }, (_, i) => `evt_throttled_${i}`);
    const response = await consume({}, { throttles: () => 4 }, ids.map(record));
    expect(response).toEqual({ batchItemFailures: [] });
    expect([...endpoint!.stored].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(endpoint!.attempts.get(id)).toBe(5);
  }, 60_000);

  it('still reports a record whose writes stay throttled after the retries, and only that one', async () => {
    const records = ['evt_ok_1', 'evt_always_throttled', 'evt_ok_2'].map(record);
    const response = await consume(
      { DYNAMODB_MAX_ATTEMPTS: '2' },
      { throttles: (id) => (id === 'evt_always_throttled' ? Infinity : 1), errorCode: 'ThrottlingException' },
      records,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect([...endpoint!.stored].sort()).toEqual(['evt_ok_1', 'evt_ok_2']);
    expect(endpoint!.attempts.get('evt_always_throttled')).toBe(2);
  }, 30_000);

  it('opens at most DYNAMODB_MAX_SOCKETS connections, however many calls are made at once', async () => {
    endpoint = await startThrottlingDynamoDb({ throttles: () => 0, holdUntilInFlight: 20, holdMs: 200 });
    const config = loadConsumerConfig({ TABLE_NAME: 'events', DYNAMODB_MAX_SOCKETS: '7' });
    const dynamodb = createDynamoDbClient(config, { endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => dynamodb.send(new PutItemCommand({ TableName: 'events', Item: { eventId: { S: `evt_socket_${i}` } } }))));
    expect(endpoint.stored).toHaveLength(20);
    expect(endpoint.maxInFlight).toBe(7);
  });

  it('processes a whole batch at once when the pool allows it (no fixed cap of 10), and MAX_CONCURRENCY caps it', async () => {
    const records = Array.from({ length: 40 }, (_, i) => record(`evt_wide_${i}`));
    expect(await consume({}, { throttles: () => 0, holdUntilInFlight: 40 }, records)).toEqual({ batchItemFailures: [] });
    expect(endpoint!.maxInFlight).toBe(40);
    await endpoint!.close();
    expect(await consume({ MAX_CONCURRENCY: '5' }, { throttles: () => 0, holdUntilInFlight: 40, holdMs: 50 }, records)).toEqual({ batchItemFailures: [] });
    expect(endpoint!.maxInFlight).toBe(5);
  });
});
