// The log lines where-is reads: every line about an event names it, and a rejection says its
// HTTP status, why, and which event id the request claimed.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { claimedEventId } from '../functions/producer/claimed-event-id';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { createQueue, dynamoClient, sqsClient } from './support/aws';
import { restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { lambdaEvent, lambdaRecord } from './support/records';
import { stripeEvent, stripeSignature } from './support/stripe';

type Line = Record<string, unknown>;

describe('log lines where-is relies on', () => {
  let otel: OtelHarness;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  beforeAll(() => {
    otel = installOtel(['xray']);
    dynamodb = dynamoClient();
    sqs = sqsClient();
  });
  afterAll(async () => otel.shutdown());

  it("puts the event id on the consumer's failure line, beside the error", async () => {
    const lines: Line[] = [];
    const consumer = createConsumerHandler({
      config: loadConsumerConfig({ TABLE_NAME: 'no-such-table' }),
      dynamodb,
      logger: createLogger({ component: 'consumer' }, (line) => lines.push(JSON.parse(line) as Line)),
    });
    const record = lambdaRecord({ body: { eventId: 'evt_fails', type: 'invoice.paid', payload: {} } });
    expect(await consumer(lambdaEvent([record]))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    const failure = lines.find((line) => line.message === 'record failed; it will be retried');
    expect(failure).toMatchObject({ level: 'ERROR', eventId: 'evt_fails', messageId: record.messageId, error: { name: 'ResourceNotFoundException' } });
    expect(typeof failure?.traceId).toBe('string');
  });

  it('says status, reason and the claimed event id for each rejection', async () => {
    const queue = await createQueue(sqs);
    const lines: Line[] = [];
    const producer = createProducerHandler({
      config: loadProducerConfig({ QUEUE_URL: queue.url, WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s', MAX_BODY_BYTES: '2048' }),
      sqs,
      secrets: new SigningSecrets(async () => 'whsec_right', 60_000),
      logger: createLogger({ component: 'producer' }, (line) => lines.push(JSON.parse(line) as Line)),
    });
    const forged = stripeEvent('evt_forged', 'charge.succeeded');
    expect((await producer(restEvent(forged, { 'Stripe-Signature': stripeSignature(forged, 'whsec_wrong') }))).statusCode).toBe(401);
    const big = JSON.stringify({ id: 'evt_big', object: 'event', type: 'x', data: { blob: 'b'.repeat(4096) } });
    expect((await producer(restEvent(big, { 'Stripe-Signature': stripeSignature(big, 'whsec_right') }))).statusCode).toBe(413);
    const noType = JSON.stringify({ id: 'evt_no_type', object: 'event' });
    expect((await producer(restEvent(noType, { 'Stripe-Signature': stripeSignature(noType, 'whsec_right') }))).statusCode).toBe(400);
    const rejections = lines.filter((line) => String(line.message).startsWith('webhook rejected'));
    expect(rejections.map((line) => [line.status, line.claimedEventId])).toEqual([
      [401, 'evt_forged'],
      [413, 'evt_big'],
      [400, 'evt_no_type'],
    ]);
    expect(rejections.every((line) => typeof line.reason === 'string' || line.status === 413)).toBe(true);
  });

  it('reads a claimed id only from the first bytes and only when it looks like an id', () => {
    expect(claimedEventId(Buffer.from('{"id": "evt_1", "object": "event"}'))).toBe('evt_1');
    expect(claimedEventId(Buffer.from(`{"pad":"${'x'.repeat(2000)}","id":"evt_late"}`))).toBeUndefined();
    expect(claimedEventId(Buffer.from('{"id":"evt_\\u0000\\n"}'))).toBeUndefined();
    expect(claimedEventId(Buffer.from('not json'))).toBeUndefined();
  });
});
