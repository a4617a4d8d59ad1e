import { loadConsumerConfig } from '../functions/consumer/config';
import { ConfigError } from '../functions/lib/config';
import { loadProducerConfig } from '../functions/producer/config';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf';

describe('producer settings', () => {
  it('applies the documented defaults', () => {
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN })).toEqual({
      destination: { kind: 'queue', queueUrl: QUEUE_URL, queueName: 'webhooks' },
      verification: 'stripe',
      secretArn: SECRET_ARN,
      toleranceSeconds: 300,
      // /webhook is the source named stripe, its events keyed by their bare id; no other source.
      defaultSource: { name: 'stripe', scheme: 'stripe', secretArn: SECRET_ARN, toleranceSeconds: 300, bareKeys: true },
      sources: new Map(),
      // Unset, the queue is taken to be 256 KiB (AWS provider 5.x's default) and the body
      // limit leaves the 16 KiB allowance for attributes within it.
      maxBodyBytes: 262144 - 16384,
      maxMessageBytes: 262144,
    });
  });

  it('follows the deployed queue size: the message limit is the queue\'s, the body limit leaves the allowance', () => {
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '1048576' })).toMatchObject({ maxBodyBytes: 1048576 - 16384, maxMessageBytes: 1048576 });
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '1048576', MAX_BODY_BYTES: '65536' })).toMatchObject({ maxBodyBytes: 65536, maxMessageBytes: 1048576 });
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '65536' })).toMatchObject({ maxBodyBytes: 65536 - 16384, maxMessageBytes: 65536 });
  });

  it('publishes to a topic instead (fan-out): SNS\'s 256 KiB caps the message, the envelope is checked unless every subscription is raw', () => {
    const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:webhooks';
    expect(loadProducerConfig({ TOPIC_ARN, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '1048576' })).toMatchObject({
      destination: { kind: 'topic', topicArn: TOPIC_ARN, topicName: 'webhooks', envelopeDelivery: true },
      maxMessageBytes: 262144,
      maxBodyBytes: 262144 - 16384,
    });
    expect(loadProducerConfig({ TOPIC_ARN, TOPIC_ENVELOPE_DELIVERY: 'false', WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '65536' })).toMatchObject({
      destination: { envelopeDelivery: false },
      maxMessageBytes: 65536,
    });
  });

  it('needs no secret when verification is none', () => {
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_VERIFICATION: 'none', WEBHOOK_SECRET_ARN: SECRET_ARN }).secretArn).toBeUndefined();
  });

  it('reads the /webhooks/<source> sources from WEBHOOK_SOURCES, a tolerance only where the scheme signs a timestamp', () => {
    const config = loadProducerConfig({
      QUEUE_URL,
      WEBHOOK_SECRET_ARN: SECRET_ARN,
      WEBHOOK_SOURCES: JSON.stringify({ github: { scheme: 'github', secretArn: `${SECRET_ARN}-gh` }, svix: { scheme: 'standard-webhooks', secretArn: `${SECRET_ARN}-sv`, toleranceSeconds: 120 } }),
    });
    expect([...config.sources.values()]).toEqual([
      { name: 'github', scheme: 'github', secretArn: `${SECRET_ARN}-gh`, toleranceSeconds: 300, bareKeys: false },
      { name: 'svix', scheme: 'standard-webhooks', secretArn: `${SECRET_ARN}-sv`, toleranceSeconds: 120, bareKeys: false },
    ]);
    // off: no source on /webhook, the sources alone.
    expect(loadProducerConfig({ QUEUE_URL, WEBHOOK_VERIFICATION: 'off', WEBHOOK_SOURCES: JSON.stringify({ github: { scheme: 'github', secretArn: SECRET_ARN } }) }).defaultSource).toBeUndefined();
  });

  const sources = (value: unknown) => ({ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, WEBHOOK_SOURCES: JSON.stringify(value) });
  it.each([
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, WEBHOOK_SOURCES: '{github' }, 'WEBHOOK_SOURCES: must be a JSON object of sources'],
    [sources([]), 'WEBHOOK_SOURCES: must be a JSON object of sources'],
    [sources({ GitHub: { scheme: 'github', secretArn: SECRET_ARN } }), 'source name "GitHub" must be 1-32 lower-case letters'],
    [sources({ 'a#b': { scheme: 'github', secretArn: SECRET_ARN } }), 'source name "a#b" must be'],
    [sources({ gitlab: { scheme: 'gitlab', secretArn: SECRET_ARN } }), 'gitlab.scheme must be one of stripe, github, standard-webhooks, shopify, slack'],
    [sources({ github: { scheme: 'github' } }), 'github.secretArn must be a Secrets Manager ARN'],
    [sources({ github: { scheme: 'github', secretArn: SECRET_ARN, toleranceSeconds: 60 } }), 'the github scheme signs no timestamp, so it takes no toleranceSeconds'],
    [sources({ slack: { scheme: 'slack', secretArn: SECRET_ARN, toleranceSeconds: 0 } }), 'slack.toleranceSeconds must be a whole number between 1 and 86400'],
    [sources({ stripe: { scheme: 'stripe', secretArn: SECRET_ARN } }), '"stripe" is the name of the /webhook source'],
    [{ QUEUE_URL, WEBHOOK_VERIFICATION: 'off' }, 'WEBHOOK_VERIFICATION is off and WEBHOOK_SOURCES names no source'],
  ])('rejects the sources %j with a message naming the setting', (env, message) => {
    expect(() => loadProducerConfig(env)).toThrow(ConfigError);
    expect(() => loadProducerConfig(env)).toThrow(message);
  });

  it.each([
    [{}, 'QUEUE_URL is required'],
    [{ QUEUE_URL: '  ' }, 'QUEUE_URL is required'],
    [{ QUEUE_URL: 'webhooks' }, 'QUEUE_URL must be an SQS queue URL'],
    [{ QUEUE_URL, TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:webhooks' }, 'set QUEUE_URL or TOPIC_ARN, not both'],
    [{ TOPIC_ARN: 'webhooks' }, 'TOPIC_ARN must be an SNS topic ARN'],
    [{ TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:webhooks.fifo' }, 'TOPIC_ARN must be an SNS topic ARN (standard, not FIFO)'],
    [{ TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:webhooks', TOPIC_ENVELOPE_DELIVERY: 'yes' }, 'TOPIC_ENVELOPE_DELIVERY must be true or false'],
    [{ QUEUE_URL }, 'WEBHOOK_SECRET_ARN is required when WEBHOOK_VERIFICATION is stripe'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: 'my-secret' }, 'WEBHOOK_SECRET_ARN must be a Secrets Manager ARN'],
    [{ QUEUE_URL, WEBHOOK_VERIFICATION: 'hmac' }, 'WEBHOOK_VERIFICATION must be one of stripe, none, off'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, WEBHOOK_TOLERANCE_SECONDS: '5m' }, 'WEBHOOK_TOLERANCE_SECONDS must be a whole number'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, WEBHOOK_TOLERANCE_SECONDS: '0' }, 'WEBHOOK_TOLERANCE_SECONDS must be between 1 and 86400'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, MAX_BODY_BYTES: '2000000', QUEUE_MAX_MESSAGE_BYTES: '1048576' }, 'MAX_BODY_BYTES must be between 1 and 1032192'],
    // The body limit that assumed a 1 MiB queue does not fit the 256 KiB queue really deployed.
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, MAX_BODY_BYTES: '262144' }, 'MAX_BODY_BYTES must be between 1 and 245760'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, MAX_BODY_BYTES: '262144', QUEUE_MAX_MESSAGE_BYTES: '262144' }, 'MAX_BODY_BYTES must be between 1 and 245760'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '2097152' }, 'QUEUE_MAX_MESSAGE_BYTES must be between 16385 and 1048576'],
    [{ QUEUE_URL, WEBHOOK_SECRET_ARN: SECRET_ARN, QUEUE_MAX_MESSAGE_BYTES: '256KiB' }, 'QUEUE_MAX_MESSAGE_BYTES must be a whole number'],
  ])('rejects %j with a message naming the setting', (env, message) => {
    expect(() => loadProducerConfig(env)).toThrow(ConfigError);
    expect(() => loadProducerConfig(env)).toThrow(message);
  });
});

describe('consumer settings', () => {
  it('applies the documented defaults', () => {
    expect(loadConsumerConfig({ TABLE_NAME: 'events' })).toEqual({ tableName: 'events', linkMode: 'parent', maxConcurrency: 128, dynamodbMaxSockets: 128, dynamodbMaxAttempts: 6 });
    expect(loadConsumerConfig({ TABLE_NAME: 'events', TRACE_LINK_MODE: 'link', MAX_CONCURRENCY: '3' })).toEqual({ tableName: 'events', linkMode: 'link', maxConcurrency: 3, dynamodbMaxSockets: 128, dynamodbMaxAttempts: 6 });
  });

  it('lets the socket pool set the concurrency, and MAX_CONCURRENCY cap it', () => {
    expect(loadConsumerConfig({ TABLE_NAME: 'events', DYNAMODB_MAX_SOCKETS: '300' })).toMatchObject({ maxConcurrency: 300, dynamodbMaxSockets: 300 });
    expect(loadConsumerConfig({ TABLE_NAME: 'events', DYNAMODB_MAX_SOCKETS: '300', MAX_CONCURRENCY: '40' })).toMatchObject({ maxConcurrency: 40, dynamodbMaxSockets: 300 });
    expect(loadConsumerConfig({ TABLE_NAME: 'events', DYNAMODB_MAX_ATTEMPTS: '2' })).toMatchObject({ dynamodbMaxAttempts: 2 });
  });

  it.each([
    [{}, 'TABLE_NAME is required'],
    [{ TABLE_NAME: 'events', TRACE_LINK_MODE: 'child' }, 'TRACE_LINK_MODE must be one of parent, link'],
    [{ TABLE_NAME: 'events', MAX_CONCURRENCY: '0' }, 'MAX_CONCURRENCY must be between 1 and 1000'],
    [{ TABLE_NAME: 'events', MAX_CONCURRENCY: 'ten' }, 'MAX_CONCURRENCY must be a whole number'],
    [{ TABLE_NAME: 'events', MAX_CONCURRENCY: '200' }, 'MAX_CONCURRENCY (200) is above DYNAMODB_MAX_SOCKETS (128)'],
    [{ TABLE_NAME: 'events', DYNAMODB_MAX_SOCKETS: '0' }, 'DYNAMODB_MAX_SOCKETS must be between 1 and 1000'],
    [{ TABLE_NAME: 'events', DYNAMODB_MAX_SOCKETS: '1e3' }, 'DYNAMODB_MAX_SOCKETS must be a whole number'],
    [{ TABLE_NAME: 'events', DYNAMODB_MAX_ATTEMPTS: '21' }, 'DYNAMODB_MAX_ATTEMPTS must be between 1 and 20'],
  ])('rejects %j with a message naming the setting', (env, message) => {
    expect(() => loadConsumerConfig(env)).toThrow(message);
  });
});
