import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient, type SQSClient as SQSClientType } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createServer, type AddressInfo } from 'node:net';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler, type ProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { clientConfig, createQueue, createSecret, receiveAll, rotateSecret, secretsClient, sqsClient } from './support/aws';
import { httpApiEvent, restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { nowSeconds, stripeEvent, stripeSignature } from './support/stripe';

const SECRET = 'whsec_producer_test_secret';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

function secretReader(secrets: SecretsManagerClient, arn: string) {
  return async () => (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '';
}

describe('producer handler', () => {
  let otel: OtelHarness;
  let sqs: SQSClientType;
  let secrets: SecretsManagerClient;
  let queue: { url: string; name: string };
  let secretArn: string;
  let clock: number;
  let handler: ProducerHandler;

  function makeHandler(env: Record<string, string> = {}, sqsOverride: SQSClientType = sqs) {
    const config = loadProducerConfig({ QUEUE_URL: queue.url, WEBHOOK_SECRET_ARN: secretArn, ...env });
    return createProducerHandler({
      config,
      sqs: sqsOverride,
      secrets: config.secretArn ? new SigningSecrets(secretReader(secrets, config.secretArn), 60_000, () => clock) : undefined,
      logger: silent,
      now: () => clock,
    });
  }

  beforeAll(async () => {
    otel = installOtel(['xray']);
    sqs = sqsClient();
    secrets = secretsClient();
  });
  afterAll(async () => otel.shutdown());

  beforeEach(async () => {
    otel.reset();
    clock = Date.now();
    queue = await createQueue(sqs);
    secretArn = await createSecret(secrets, SECRET);
    handler = makeHandler();
  });

  const queued = () => receiveAll(sqs, queue.url);

  it('200: enqueues the event with trace context and answers only after SQS accepted it', async () => {
    const body = stripeEvent('evt_ok', 'invoice.paid');
    const response = await handler(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    const answer = JSON.parse(response.body);
    expect(answer).toEqual({ received: true, eventId: 'evt_ok', messageId: expect.any(String) });

    const [message, ...rest] = await queued();
    expect(rest).toEqual([]);
    expect(message!.MessageId).toBe(answer.messageId);
    // The signed text itself, never a re-serialization of the parsed event.
    expect(message!.Body).toBe(body);

    const [span] = otel.spansNamed(`send ${queue.name}`);
    expect(span!.kind).toBe(SpanKind.PRODUCER);
    expect(span!.attributes).toEqual({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': queue.name,
      'messaging.operation.type': 'send',
      'messaging.message.id': answer.messageId,
      'webhook.event_id': 'evt_ok',
      'webhook.type': 'invoice.paid',
      'webhook.source': 'stripe',
    });
    const { traceId, spanId } = span!.spanContext();
    const xray = `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=1`;
    expect(message!.MessageAttributes).toEqual({
      'webhook-body-encoding': { DataType: 'String', StringValue: 'verbatim' },
      // The /webhook source: its id and type stay in the body, its key is the bare id.
      'webhook-source': { DataType: 'String', StringValue: 'stripe' },
      'x-amzn-trace-id': { DataType: 'String', StringValue: xray },
    });
    expect(message!.Attributes?.AWSTraceHeader).toBe(xray);
  });

  it('accepts an HTTP API (payload 2.0) event with a base64 body and lower-cased headers', async () => {
    const body = stripeEvent('evt_v2');
    const response = await handler(httpApiEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(200);
    expect((await queued())[0]!.Body).toBe(body);
  });

  it.each([
    ['no signature', () => ({}), 'missing signature'],
    ['a bad signature', (body: string) => ({ 'Stripe-Signature': stripeSignature(body, 'whsec_wrong') }), 'no matching signature'],
    ['a stale timestamp', (body: string) => ({ 'Stripe-Signature': stripeSignature(body, SECRET, nowSeconds() - 600) }), 'timestamp outside tolerance'],
    ['a future timestamp', (body: string) => ({ 'Stripe-Signature': stripeSignature(body, SECRET, nowSeconds() + 600) }), 'timestamp outside tolerance'],
  ])('401 for %s, and nothing is enqueued', async (_label, headers, reason) => {
    const body = stripeEvent('evt_rejected');
    const response = await handler(restEvent(body, headers(body)));
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: reason });
    expect(await queued()).toEqual([]);
  });

  it('401 for a signed body that was tampered with after signing', async () => {
    const body = stripeEvent('evt_tamper');
    const response = await handler(restEvent(body.replace('2000', '1'), { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(401);
    expect(await queued()).toEqual([]);
  });

  it.each([
    ['not JSON', 'this is not json', 'body is not valid JSON'],
    ['a JSON array', '[1,2]', 'body must be a JSON object'],
    ['an event without id', JSON.stringify({ type: 'invoice.paid' }), 'event must have string id and type'],
    ['an event with a numeric type', JSON.stringify({ id: 'evt_1', type: 7 }), 'event must have string id and type'],
  ])('400 for a signed body that is %s, and nothing is enqueued', async (_label, body, reason) => {
    const response = await handler(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: reason });
    expect(await queued()).toEqual([]);
  });

  it('413 for a body over MAX_BODY_BYTES, before anything else, and nothing is enqueued', async () => {
    const small = makeHandler({ MAX_BODY_BYTES: '1024' });
    const body = JSON.stringify({ id: 'evt_big', type: 'invoice.paid', pad: 'x'.repeat(1100) });
    const response = await small(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'body too large' });
    expect(await queued()).toEqual([]);
  });

  it('502 when SQS refuses the message; the error body says nothing internal', async () => {
    const refusing = makeHandler({ QUEUE_URL: `${queue.url}-does-not-exist` });
    const body = stripeEvent('evt_502');
    const response = await refusing(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(502);
    expect(response.body).toBe(JSON.stringify({ error: 'queue unavailable' }));
    const [span] = otel.spansNamed(`send ${queue.name}-does-not-exist`);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('503 with retry-after when SQS cannot be reached', async () => {
    // A listener of our own that drops every connection: unlike a port released for the test, no
    // other process (test files run side by side) can start answering on it meanwhile.
    const dropping = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const { port } = dropping.address() as AddressInfo;
    const unreachable = new SQSClient({ ...clientConfig(), endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const body = stripeEvent('evt_503');
    const response = await makeHandler({}, unreachable)(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) })).finally(() => dropping.close());
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '5' });
    expect(JSON.parse(response.body)).toEqual({ error: 'queue unavailable' });
  });

  it('503 when the signing secret cannot be read, and nothing is enqueued', async () => {
    const broken = makeHandler({ WEBHOOK_SECRET_ARN: `${secretArn}-missing` });
    const body = stripeEvent('evt_nosecret');
    const response = await broken(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) }));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ error: 'verification unavailable' });
    expect(await queued()).toEqual([]);
  });

  it('picks up a rotated secret after a miss, re-reading at most once a minute', async () => {
    const first = stripeEvent('evt_before');
    expect((await handler(restEvent(first, { 'Stripe-Signature': stripeSignature(first, SECRET) }))).statusCode).toBe(200);

    const rotated = 'whsec_rotated_secret';
    await rotateSecret(secrets, secretArn, `${rotated},${SECRET}`);
    const body = stripeEvent('evt_after');
    const signed = () => restEvent(body, { 'Stripe-Signature': stripeSignature(body, rotated, Math.floor(clock / 1000)) });

    clock += 30_000; // the cache is 30 s old: no re-read yet
    expect((await handler(signed())).statusCode).toBe(401);
    clock += 31_000; // past a minute: the miss triggers one re-read
    expect((await handler(signed())).statusCode).toBe(200);
    expect((await queued()).map((m) => JSON.parse(m.Body!).id).sort()).toEqual(['evt_after', 'evt_before']);
  });

  it('accepts unsigned webhooks only when verification is explicitly none', async () => {
    const open = makeHandler({ WEBHOOK_VERIFICATION: 'none' });
    const body = stripeEvent('evt_open');
    expect((await open(restEvent(body))).statusCode).toBe(200);
    expect((await handler(restEvent(body))).statusCode).toBe(401);
  });
});
