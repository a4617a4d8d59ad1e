// The producer publishing to an SNS topic (fan-out), against the emulator's SNS, which delivers to
// subscribed SQS queues raw and enveloped and applies filter policies (moto 5.2 does both
// correctly): the published message reaches each subscribed queue, the consumer reads it back as
// the signed text byte for byte, and its record span lands on the producer's trace either way.
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { loadConsumerConfig } from '../functions/consumer/config';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { createDestination, snsEnvelopeBytes, EVENT_TYPE_ATTRIBUTE } from '../functions/producer/publish';
import type { SdkMessageAttributes } from '../functions/lib/sqs-carrier';
import { snsNotificationBody } from '../local-runtime/local-aws/sns-notification';
import { toLambdaEvent } from '../local-runtime/sqs-records';
import { clientConfig, createEventsTable, createQueue, dynamoClient, receiveAll, scanTable, sqsClient, uniqueName } from './support/aws';
import { restEvent } from './support/http-events';
import { installOtel, parentSpanId, type OtelHarness } from './support/otel';
import { seededRandom } from './support/webhook-fuzz';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
/** What escaping must survive on the way through SNS's envelope: quotes, backslashes, newlines, non-ASCII, an escaped U+FFFE. */
const signedBody = (id: string, type: string) => `{"id":"${id}","type":"${type}","note":"a \\"quoted\\" \\\\ line\\nnext","name":"Zoë 🧾 東京","odd":"\\ufffe"}`;

describe('the producer publishing to a topic (fan-out)', () => {
  let otel: OtelHarness;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let raw: { url: string; arn: string; name: string };
  let enveloped: { url: string; arn: string; name: string };

  const handlerFor = (env: Record<string, string> = {}, client: Pick<SNSClient, 'send'> = sns) =>
    createProducerHandler({ config: loadProducerConfig({ TOPIC_ARN: topicArn, WEBHOOK_VERIFICATION: 'none', ...env }), sns: client, logger: silent });

  beforeAll(async () => {
    otel = installOtel(['xray']);
    sns = new SNSClient(clientConfig());
    sqs = sqsClient();
    topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('webhooks') }))).TopicArn as string;
    raw = await createQueue(sqs);
    enveloped = await createQueue(sqs);
    // Raw, and only invoice.* events; enveloped, every event.
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: raw.arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ [EVENT_TYPE_ATTRIBUTE]: [{ prefix: 'invoice.' }] }) },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: enveloped.arn }));
  });
  afterAll(async () => otel.shutdown());
  beforeEach(() => otel.reset());

  it('publishes the signed text with the event type and the trace context; every subscriber’s record span lands on the producer’s trace, the payload stored byte for byte', async () => {
    const body = signedBody('evt_fan_1', 'invoice.paid');
    const response = await handlerFor()(restEvent(body));
    expect(response.statusCode).toBe(200);
    const { messageId } = JSON.parse(response.body) as { messageId: string };
    const [send] = otel.spansNamed(`send ${topicArn.split(':').pop()}`);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'aws.sns',
      'messaging.destination.name': topicArn.split(':').pop(),
      'aws.sns.topic.arn': topicArn,
      'messaging.operation.type': 'send',
      'messaging.message.id': messageId,
      'webhook.event_id': 'evt_fan_1',
    });

    const [rawMessage] = await receiveAll(sqs, raw.url);
    const [wrappedMessage] = await receiveAll(sqs, enveloped.url);
    expect(rawMessage?.Body).toBe(body);
    expect(rawMessage?.MessageAttributes?.[EVENT_TYPE_ATTRIBUTE]?.StringValue).toBe('invoice.paid');
    // The source too, what a subscription's `sources` filter reads.
    expect(rawMessage?.MessageAttributes?.['webhook-source']?.StringValue).toBe('stripe');
    expect(JSON.parse(wrappedMessage?.Body ?? '{}')).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: topicArn, Message: body });

    const dynamodb = dynamoClient();
    for (const [queue, message, source] of [
      [raw, rawMessage, 'message_attributes'],
      [enveloped, wrappedMessage, 'sns_message_attributes'],
    ] as const) {
      const table = await createEventsTable(dynamodb);
      const consumer = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: table }), dynamodb, logger: silent });
      expect(await consumer(toLambdaEvent([message!], queue.arn))).toEqual({ batchItemFailures: [] });
      const [item] = await scanTable(dynamodb, table);
      expect(Buffer.from(item?.payload ?? '')).toEqual(Buffer.from(body));
      const record = otel.spansNamed('process-webhook').find((span) => span.attributes['messaging.message.id'] === message?.MessageId);
      expect(record?.spanContext().traceId).toBe(send?.spanContext().traceId);
      expect(parentSpanId(record!)).toBe(send?.spanContext().spanId);
      expect(record?.attributes['trace.upstream_source']).toBe(source);
      expect(item?.traceId).toBe(send?.spanContext().traceId);
    }
  });

  it('a topic gets the event type as webhook-event-type (what filters read) unless SQS could not carry it; a queue gets nothing more, as before', () => {
    const publish = async () => ({ MessageId: 'm', $metadata: {} });
    const topic = createDestination({ kind: 'topic', topicArn, topicName: 'webhooks', envelopeDelivery: false }, 262_144, { publish });
    expect(EVENT_TYPE_ATTRIBUTE).toBe('webhook-event-type');
    expect(topic.ownAttributes('invoice.paid')).toEqual({ 'webhook-event-type': { DataType: 'String', StringValue: 'invoice.paid' } });
    expect(topic.ownAttributes('odd\ufffe')).toEqual({});
    const queue = createDestination({ kind: 'queue', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', queueName: 'q' }, 262_144, { sendMessage: async () => ({ MessageId: 'm', $metadata: {} }) });
    expect(queue.ownAttributes('invoice.paid')).toEqual({});
  });

  it('the filter policy on the event type keeps other types from a filtered subscriber', async () => {
    const body = signedBody('evt_fan_2', 'customer.updated');
    expect((await handlerFor()(restEvent(body))).statusCode).toBe(200);
    expect(await receiveAll(sqs, raw.url)).toEqual([]);
    expect((await receiveAll(sqs, enveloped.url)).map((m) => JSON.parse(m.Body ?? '{}').Message)).toEqual([body]);
  });

  it('413 at the gate for a message SNS takes but whose envelope would not fit the subscribed queue; sent when every subscription is raw', async () => {
    // 140 KB of quotes and backslashes: the message fits SNS's 256 KiB, its envelope (each escaped) does not fit a 256 KiB queue.
    const body = `{"id":"evt_fan_big","type":"invoice.paid","pad":"${'\\"'.repeat(70_000)}"}`;
    expect(Buffer.byteLength(body)).toBeLessThan(245_760);
    const response = await handlerFor({ QUEUE_MAX_MESSAGE_BYTES: '262144' })(restEvent(body));
    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ status: 413, body: { error: 'body too large for one queue message' } });
    expect(otel.spans().find((span) => span.name.startsWith('send '))?.status.code).toBe(SpanStatusCode.ERROR);
    expect(await receiveAll(sqs, enveloped.url)).toEqual([]);
    // Every subscription raw: the queues receive the message itself, which fits.
    const published: string[] = [];
    const recording = { send: async (command: { input: { Message?: string } }) => (published.push(command.input.Message ?? ''), { MessageId: 'm-1', $metadata: {} }) };
    const rawOnly = createProducerHandler({
      config: loadProducerConfig({ TOPIC_ARN: topicArn, WEBHOOK_VERIFICATION: 'none', QUEUE_MAX_MESSAGE_BYTES: '262144', TOPIC_ENVELOPE_DELIVERY: 'false' }),
      sns: recording as unknown as Pick<SNSClient, 'send'>,
      logger: silent,
    });
    expect((await rawOnly(restEvent(body))).statusCode).toBe(200);
    expect(published).toEqual([body]);
  });

  it('503 when SNS throttles, 502 when it refuses (the sender retries both)', async () => {
    const failing = (name: string, status: number) => ({ send: async () => Promise.reject(Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })) }) as unknown as Pick<SNSClient, 'send'>;
    const body = signedBody('evt_fan_3', 'invoice.paid');
    expect((await handlerFor({}, failing('ThrottledException', 400))(restEvent(body))).statusCode).toBe(503);
    expect((await handlerFor({}, failing('KMSThrottlingException', 400))(restEvent(body))).statusCode).toBe(503);
    expect((await handlerFor({}, failing('AuthorizationErrorException', 403))(restEvent(body))).statusCode).toBe(502);
  });

  it('bounds the envelope from above, within 1 KiB of what SNS writes, whatever the message and attributes', () => {
    const random = seededRandom(5);
    const alphabet = ['a', '"', '\\', '\n', '\u0001', 'é', '東', '🧾', '/', '<', ' '];
    const destination = createDestination({ kind: 'topic', topicArn, topicName: 'webhooks', envelopeDelivery: true }, 262144, { publish: async () => ({ $metadata: {} }) });
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(random() * 3000);
      const message = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const attributes: SdkMessageAttributes = { 'webhook-body-encoding': { DataType: 'String', StringValue: 'verbatim' }, ...destination.ownAttributes('invoice.paid') };
      if (random() < 0.5) attributes['x-amzn-trace-id'] = { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' };
      const written = Buffer.byteLength(
        snsNotificationBody({ messageId: '0f1d8c86-6d6c-5d36-b2f4-9d2a43b8e3a1', topicArn, subscriptionArn: `${topicArn}:d0b3f4e2-62c4-4b55-8c6e-0d7f1f8f2a11`, message, attributes: Object.fromEntries(Object.entries(attributes).map(([n, a]) => [n, { DataType: a.DataType, StringValue: a.StringValue ?? '' }])), timestamp: new Date() }),
      );
      const bound = snsEnvelopeBytes(message, attributes, topicArn);
      expect(bound).toBeGreaterThanOrEqual(written);
      expect(bound - written).toBeLessThan(1024);
    }
  });
});
