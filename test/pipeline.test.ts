import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { toLambdaEvent } from '../local-runtime/sqs-records';
import { createEventsTable, createQueue, createSecret, dynamoClient, receiveAll, scanTable, secretsClient, sqsClient } from './support/aws';
import { restEvent } from './support/http-events';
import { installOtel, parentSpanId, type OtelHarness, type PropagatorName } from './support/otel';
import { stripeEvent, stripeSignature } from './support/stripe';

const SECRET = 'whsec_pipeline';
const quiet = createLogger({}, () => undefined);

describe.each<[string, PropagatorName[]]>([
  ['X-Ray', ['xray']],
  ['W3C', ['tracecontext']],
  ['ADOT default (baggage, tracecontext, xray)', ['baggage', 'tracecontext', 'xray']],
])('webhook -> SQS -> DynamoDB in one trace per event, propagator %s', (_name, propagators) => {
  let otel: OtelHarness;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;

  beforeAll(() => {
    otel = installOtel(propagators);
    sqs = sqsClient();
    dynamodb = dynamoClient();
  });
  afterAll(async () => otel.shutdown());

  it('10 webhooks from 10 requests, consumed as one batch, each stays on its own request trace', async () => {
    const queue = await createQueue(sqs);
    const table = await createEventsTable(dynamodb);
    const secrets = secretsClient();
    const secretArn = await createSecret(secrets, SECRET);
    const producer = createProducerHandler({
      config: loadProducerConfig({ QUEUE_URL: queue.url, WEBHOOK_SECRET_ARN: secretArn }),
      sqs,
      secrets: new SigningSecrets(async () => (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!),
      logger: quiet,
    });
    const consumer = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: table }), dynamodb, logger: quiet });

    // Each request arrives under its own API Gateway span, as the Lambda instrumentation sees it.
    const requests = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const body = stripeEvent(`evt_pipe_${i}`);
        const api = trace.getTracer('api-gateway').startSpan('POST /webhook', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
        const response = await context.with(trace.setSpan(ROOT_CONTEXT, api), () => producer(restEvent(body, { 'Stripe-Signature': stripeSignature(body, SECRET) })));
        api.end();
        expect(response.statusCode).toBe(200);
        requests.set(`evt_pipe_${i}`, api.spanContext().traceId);
      }),
    );

    const messages = await receiveAll(sqs, queue.url);
    expect(messages).toHaveLength(10);
    const invocation = trace.getTracer('aws-lambda').startSpan('consumer invocation', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    const response = await context.with(trace.setSpan(ROOT_CONTEXT, invocation), () => consumer(toLambdaEvent(messages, queue.arn)));
    invocation.end();
    expect(response.batchItemFailures).toEqual([]);

    const items = await scanTable(dynamodb, table);
    expect(items).toHaveLength(10);
    const sends = otel.spans().filter((s) => s.kind === SpanKind.PRODUCER);
    for (const [eventId, traceId] of requests) {
      const send = sends.find((s) => s.attributes['webhook.event_id'] === eventId)!;
      const processed = otel.spansNamed('process-webhook').find((s) => s.attributes['webhook.event_id'] === eventId)!;
      expect(send.spanContext().traceId).toBe(traceId);
      expect(processed.spanContext().traceId).toBe(traceId);
      expect(parentSpanId(processed)).toBe(send.spanContext().spanId);
      expect(processed.links.map((l) => l.context.spanId)).toEqual([invocation.spanContext().spanId]);
      expect(items.find((item) => item.eventId === eventId)!.traceId).toBe(traceId);
    }
  });
});

describe('messages from producers without this library', () => {
  let otel: OtelHarness;
  beforeAll(() => {
    otel = installOtel(['xray']);
  });
  afterAll(async () => otel.shutdown());

  it('processes a message with no context, and follows one that only has AWSTraceHeader', async () => {
    const sqs = sqsClient();
    const dynamodb = dynamoClient();
    const queue = await createQueue(sqs);
    const table = await createEventsTable(dynamodb);
    const header = 'Root=1-6759e988-bd862e3fe1be46a994272793;Parent=63995c3f42cd8ad8;Sampled=1';
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ eventId: 'evt_plain', type: 'legacy' }) }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: JSON.stringify({ eventId: 'evt_xray_only', type: 'legacy' }),
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: header } },
      }),
    );
    const consumer = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: table }), dynamodb, logger: quiet });
    const response = await consumer(toLambdaEvent(await receiveAll(sqs, queue.url), queue.arn));
    expect(response.batchItemFailures).toEqual([]);
    expect((await scanTable(dynamodb, table)).map((i) => i.eventId).sort()).toEqual(['evt_plain', 'evt_xray_only']);
    const spans = otel.spansNamed('process-webhook');
    const plain = spans.find((s) => s.attributes['webhook.event_id'] === 'evt_plain')!;
    const xrayOnly = spans.find((s) => s.attributes['webhook.event_id'] === 'evt_xray_only')!;
    expect(plain.attributes['trace.has_upstream_context']).toBe(false);
    expect(xrayOnly.spanContext().traceId).toBe('6759e988bd862e3fe1be46a994272793');
    expect(xrayOnly.attributes['trace.upstream_source']).toBe('aws_trace_header');
  });
});
