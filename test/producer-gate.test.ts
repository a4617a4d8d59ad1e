import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { decodeBody } from '../functions/lib/webhook-message';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler, type ProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { createQueue, createSecret, receiveAll, secretsClient, sqsClient, uniqueName } from './support/aws';
import { restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { nowSeconds } from './support/stripe';
import { signBytes, sqsRefuses } from './support/webhook-fuzz';

const SECRET = 'whsec_gate_test_secret';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

/**
 * Signed bodies that no retry can change: each is either queued exactly as signed (200) or
 * refused with a 4xx that says why, never 5xx (the sender would retry for days, then drop it).
 */
describe('producer gate, against the emulator', () => {
  let otel: OtelHarness;
  let sqs: SQSClient;
  let secrets: SecretsManagerClient;
  let queue: { url: string; name: string };
  let secretArn: string;

  function makeHandler(env: Record<string, string> = {}, queueUrl = queue.url): ProducerHandler {
    const config = loadProducerConfig({ QUEUE_URL: queueUrl, WEBHOOK_SECRET_ARN: secretArn, ...env });
    const read = async () => (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '';
    return createProducerHandler({ config, sqs, secrets: new SigningSecrets(read), logger: silent });
  }
  const signed = (bytes: Buffer) => ({ 'Stripe-Signature': signBytes(bytes, SECRET, nowSeconds()) });
  const postText = (handler: ProducerHandler, text: string) => handler(restEvent(text, signed(Buffer.from(text, 'utf8'))));
  const postBytes = (handler: ProducerHandler, bytes: Buffer) => handler(restEvent(bytes.toString('base64'), signed(bytes), true));
  const queued = (url = queue.url) => receiveAll(sqs, url);

  beforeAll(async () => {
    otel = installOtel(['xray']);
    sqs = sqsClient();
    secrets = secretsClient();
    secretArn = await createSecret(secrets, SECRET);
  });
  afterAll(async () => otel.shutdown());
  beforeEach(async () => {
    otel.reset();
    queue = await createQueue(sqs);
  });

  it.each([
    ['nested 5,000 levels deep (JSON.stringify overflows there)', `{"id":"evt_deep","type":"t","data":${'['.repeat(5000)}1${']'.repeat(5000)}}`],
    ['with \\uFFFE, \\uFFFF and lone-surrogate escapes', '{"id":"evt_escapes","type":"t","note":"\\uFFFE\\uFFFF\\ud800\\u0000"}'],
    ['with numbers that re-serialize differently', '{"id":"evt_numbers","type":"t","n":[1e20,1.0,-0,0.10,123456789012345678901234567890]}'],
    ['laid out by a pretty-printer', '{\n  "id": "evt_spaced",\n  "type": "t"\n}\n'],
  ])('200 for a body %s, queued verbatim', async (_label, text) => {
    const response = await postText(makeHandler(), text);
    expect(response.statusCode).toBe(200);
    const [message, ...rest] = await queued();
    expect(rest).toEqual([]);
    expect(message!.Body).toBe(text);
    expect(message!.MessageAttributes?.['webhook-body-encoding']).toEqual({ DataType: 'String', StringValue: 'verbatim' });
  });

  it('escapes only the characters SQS refuses (raw U+FFFE, U+FFFF) and the escape character, and says so', async () => {
    const text = '{"id":"evt_raw","type":"t","s":"100% \ufffe\uffff \u{1F600} ok"}';
    expect((await postText(makeHandler(), text)).statusCode).toBe(200);
    const [message] = await queued();
    expect(message!.Body).toBe('{"id":"evt_raw","type":"t","s":"100%25 %uFFFE%uFFFF \u{1F600} ok"}');
    expect(sqsRefuses(message!.Body!)).toBe(false);
    expect(message!.MessageAttributes?.['webhook-body-encoding']?.StringValue).toBe('escaped');
    expect(decodeBody(message!.Body!, 'escaped')).toBe(text);
  });

  it('200 for a body just under MAX_BODY_BYTES full of 1e20 on a 256 KiB queue (re-serialized, it would not fit)', async () => {
    const small = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('webhooks-256k'), Attributes: { MaximumMessageSize: '262144' } }));
    const handler = makeHandler({ MAX_BODY_BYTES: '245760', QUEUE_MAX_MESSAGE_BYTES: '262144' }, small.QueueUrl!);
    const head = '{"id":"evt_1e20","type":"t","n":[';
    const text = `${head}${'1e20,'.repeat(Math.floor((245760 - head.length - 3) / 5))}0]}`;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(245760);
    expect((await postText(handler, text)).statusCode).toBe(200);
    expect((await queued(small.QueueUrl!))[0]!.Body).toBe(text);
  });

  it.each([
    ['a lone 0xFF byte', Buffer.from([0xff])],
    ['an overlong encoding', Buffer.from([0xc0, 0x80])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a truncated sequence', Buffer.from([0xe2, 0x82])],
  ])('400 for a signed body that is not valid UTF-8 (%s), nothing queued', async (_label, bad) => {
    const bytes = Buffer.concat([Buffer.from('{"id":"evt_bad_utf8","type":"t","s":"'), bad, Buffer.from('"}')]);
    const response = await postBytes(makeHandler(), bytes);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'body is not valid UTF-8' });
    expect(await queued()).toEqual([]);
  });

  it('400 for a string body holding a lone surrogate, nothing queued', async () => {
    const text = '{"id":"evt_lone","type":"t","s":"\ud800"}';
    const response = await postText(makeHandler(), text);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'body is not valid UTF-8' });
    expect(await queued()).toEqual([]);
  });

  it('413 when the message, escaped, cannot fit in one SQS message with its attributes; nothing queued', async () => {
    const head = '{"id":"evt_escaped_big","type":"t","s":"\ufffe';
    const text = `${head}${'%'.repeat(262144 - Buffer.byteLength(head) - 2)}"}`;
    expect(Buffer.byteLength(text)).toBe(262144);
    // MAX_BODY_BYTES 262144 on a queue that leaves it the 16 KiB allowance (the emulator's is 1 MiB).
    const response = await postText(makeHandler({ MAX_BODY_BYTES: '262144', QUEUE_MAX_MESSAGE_BYTES: '278528' }), text);
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'body too large for one queue message' });
    expect(await queued()).toEqual([]);
  });

  it('413 for an event DynamoDB could never store in one item (MAX_BODY_BYTES raised past 400 KB); one that fits is queued', async () => {
    const handler = makeHandler({ MAX_BODY_BYTES: '460800', QUEUE_MAX_MESSAGE_BYTES: '1048576' });
    const sized = (id: string, bytes: number) => `{"id":"${id}","type":"t","pad":"${'a'.repeat(bytes - 35 - id.length)}"}`;
    const tooBig = sized('evt_too_big', 400 * 1024);
    const response = await postText(handler, tooBig);
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'event too large to store' });
    expect(await queued()).toEqual([]);
    const fits = sized('evt_fits', 390 * 1024);
    expect((await postText(handler, fits)).statusCode).toBe(200);
    expect((await queued())[0]!.Body).toBe(fits);
  });

  it.each([
    ['2,048 ASCII bytes', 'x'.repeat(2048), 200, undefined],
    ['2,049 ASCII bytes', 'x'.repeat(2049), 400, 'event id longer than 2048 bytes'],
    ['1,025 two-byte characters (2,050 bytes)', '\u00e9'.repeat(1025), 400, 'event id longer than 2048 bytes'],
    ['a lone surrogate escape', '\\ud800', 400, 'event id and type must be valid Unicode'],
    ['empty', '', 400, 'event must have string id and type'],
  ])('event id of %s', async (_label, id, status, reason) => {
    const response = await postText(makeHandler(), `{"id":"${id}","type":"invoice.paid"}`);
    expect(response.statusCode).toBe(status);
    if (reason) {
      expect(JSON.parse(response.body)).toEqual({ error: reason });
      expect(await queued()).toEqual([]);
    }
  });

  it('400 for a numeric event id', async () => {
    const response = await postText(makeHandler(), '{"id":42,"type":"invoice.paid"}');
    expect(response.statusCode).toBe(400);
    expect(await queued()).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a number', 42, 'body must be a string'],
    ['an object', { id: 'evt_1', type: 't' }, 'body must be a string'],
    ['a boolean', true, 'body must be a string'],
    ['base64 that is not base64', '{"id":"evt_1"}', 'body is not valid base64'],
  ])('400, not a throw, for an API Gateway event whose body is %s', async (label, body, reason) => {
    const event = { ...restEvent(null), body, isBase64Encoded: label.startsWith('base64') } as unknown as APIGatewayProxyEvent;
    const response = await makeHandler()(event);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: reason });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'POST /webhook'],
    ['a number', 7],
  ])('400, not a throw, for an event that is %s', async (_label, event) => {
    const response = await makeHandler()(event as APIGatewayProxyEvent);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'not an API Gateway proxy event' });
  });
});
