// The soak's fault layer on the producer's hand-off: SQS's SendMessage, or SNS's Publish with
// fan-out. Each injected refusal must read, to the real AWS SDK, as the service's own error
// (code, status, retryable or not), or the producer's answer to the sender is not what AWS would cause.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAwsRequest } from '../local-runtime/local-aws/aws-request';
import type { Caller } from '../local-runtime/local-aws/identity';
import { createFaultLayer, type FaultLayer } from '../soak/fault-layer';
import { DEFAULT_OPTIONS, faultKindsFor, type FaultRates } from '../soak/options';
import { Rng } from '../soak/rng';

const ROLE: Caller = {
  kind: 'role',
  roleArn: 'arn:aws:iam::123456789012:role/p',
  roleName: 'p',
  sessionName: 'p',
  principalArn: 'arn:aws:sts::123456789012:assumed-role/p/p',
  credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date(0) },
} as Caller;

const NO_FAULTS: FaultRates = { ...DEFAULT_OPTIONS.faults, sqsThrottle: 0, sqsServerError: 0, sqsSlow: 0, dynamoThrottle: 0, dynamoServerError: 0, dynamoLatency: 0, consumerStall: 0, consumerKill: 0 };

/** The emulator's part, for what the layer lets through: a successful send or publish (of the body `x`). */
function emulatorAnswer(service: string, res: import('node:http').ServerResponse): void {
  if (service === 'sns') {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>');
  } else {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update('x').digest('hex') }));
  }
}

describe('soak fault layer on the hand-off', () => {
  let server: Server;
  let endpoint: string;
  let faults: FaultLayer;
  let requests = 0;

  const start = async (handOff: 'sqs' | 'sns', rates: Partial<FaultRates>) => {
    faults = createFaultLayer({ rates: { ...NO_FAULTS, ...rates }, rng: new Rng(1), stallMs: () => 0, slowMs: 0, everyFaultOnce: false, killConsumer: () => undefined, handOff });
    requests = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests++;
        const request = parseAwsRequest({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), secure: false });
        if (!faults.layer.handle({ request, caller: ROLE }, res, () => emulatorAnswer(request.service, res))) emulatorAnswer(request.service, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const credentials = { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' };
  const publish = (maxAttempts = 1) =>
    new SNSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts }).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'x' }));
  const sendMessage = () => new SQSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }).send(new SendMessageCommand({ QueueUrl: `${endpoint}/123456789012/q`, MessageBody: 'x' }));

  it('with fan-out, a throttled Publish is SNS\'s ThrottledException (429), which the SDK retries', async () => {
    await start('sns', { sqsThrottle: 1 });
    await expect(publish()).rejects.toMatchObject({ name: 'ThrottledException', $metadata: { httpStatusCode: 429 } });
    requests = 0;
    await expect(publish(3)).rejects.toMatchObject({ name: 'ThrottledException' });
    expect(requests).toBe(3);
    expect(faults.counts['sns.throttle']).toBe(4);
    expect(faults.counts['sqs.throttle']).toBe(0);
  });

  it('with fan-out, a 5xx is SNS\'s InternalErrorException and an outage a 503 ServiceUnavailable', async () => {
    await start('sns', { sqsServerError: 1 });
    await expect(publish()).rejects.toMatchObject({ name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } });
    faults.startOutage('handOff', 60_000);
    await expect(publish()).rejects.toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(faults.counts['sns.outage']).toBe(1);
  });

  it('with fan-out, the queue is not the hand-off: SendMessage goes through untouched', async () => {
    await start('sns', { sqsThrottle: 1 });
    await expect(sendMessage()).resolves.toMatchObject({ MessageId: 'm-1' });
    expect(faults.counts['sqs.throttle']).toBe(0);
  });

  it('without fan-out, SendMessage gets SQS\'s JSON errors and Publish is untouched', async () => {
    await start('sqs', { sqsThrottle: 1 });
    await expect(sendMessage()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    await expect(publish()).resolves.toMatchObject({ MessageId: 'm-1' });
    expect(faults.counts['sqs.throttle']).toBe(1);
    expect(faults.counts['sns.throttle']).toBe(0);
  });

  it('reports only the kinds a run can fire', () => {
    expect(faultKindsFor('sqs')).toEqual(expect.arrayContaining(['sqs.throttle', 'sqs.outage', 'dynamodb.throttle']));
    expect(faultKindsFor('sqs').some((kind) => kind.startsWith('sns.'))).toBe(false);
    expect(faultKindsFor('sns')).toEqual(expect.arrayContaining(['sns.throttle', 'sns.5xx', 'sns.outage', 'sns.slow', 'secrets.outage']));
    expect(faultKindsFor('sns').some((kind) => kind.startsWith('sqs.'))).toBe(false);
  });

  it('kills the calling consumer while its write is in flight, before any answer, and half the time lets the write land', () => {
    const steps: string[] = [];
    const layer = createFaultLayer({
      rates: { ...NO_FAULTS, consumerKill: 1 },
      rng: new Rng(3),
      stallMs: () => 0,
      slowMs: 0,
      everyFaultOnce: false,
      killConsumer: (caller) => steps.push(`kill ${caller.kind === 'role' ? caller.roleName : '?'}`),
    }).layer;
    const request = parseAwsRequest({
      method: 'POST',
      url: '/',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0', authorization: 'AWS4-HMAC-SHA256 Credential=ASIA/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' },
      body: Buffer.from('{}'),
      secure: true,
    });
    const outcomes = Array.from({ length: 20 }, () => {
      steps.length = 0;
      const res = { on: () => res, destroy: () => steps.push('no answer') } as unknown as import('node:http').ServerResponse;
      expect(layer.handle({ request, caller: ROLE }, res, () => steps.push('write forwarded'))).toBe(true);
      return [...steps];
    });
    for (const outcome of outcomes) expect(outcome[0]).toBe('kill p');
    expect(new Set(outcomes.map((outcome) => outcome[1]))).toEqual(new Set(['write forwarded', 'no answer']));
  });
});
