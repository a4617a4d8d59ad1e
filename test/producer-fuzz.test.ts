import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { BODY_ENCODING_ATTRIBUTE, decodeBody } from '../functions/lib/webhook-message';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { toLambdaEvent } from '../local-runtime/sqs-records';
import { restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { StrictSqs } from './support/strict-sqs';
import { fuzzCase, seededRandom, signBytes, sqsRefuses, type FuzzCase } from './support/webhook-fuzz';

const SECRET = 'whsec_fuzz';
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:webhooks';
const quiet = createLogger({}, () => undefined);

/** A DynamoDB double for the consumer's conditional put that keeps DynamoDB's key and item limits. */
class StrictTable {
  readonly items = new Map<string, Record<string, AttributeValue>>();
  readonly send = (async (command: unknown) => {
    if (!(command instanceof PutItemCommand)) throw new Error('StrictTable only models PutItem');
    const item = command.input.Item ?? {};
    const key = item.eventId?.S ?? '';
    const size = Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.S ?? ''), 0);
    if (key === '' || Buffer.byteLength(key) > 2048 || size > 400 * 1024) {
      throw Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' });
    }
    if (this.items.has(key)) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    this.items.set(key, item);
    return {};
  }) as unknown as DynamoDBClient['send'];
}

describe(`producer fuzz: ${CASES} seeded signed bodies (seed ${SEED})`, () => {
  let otel: OtelHarness;
  beforeAll(() => {
    // Every propagator: the most message attributes a message can carry.
    otel = installOtel(['baggage', 'tracecontext', 'xray']);
  });
  afterAll(async () => otel.shutdown());

  it('answers 2xx with the signed bytes queued exactly and stored exactly, or 4xx with nothing queued; never 5xx', async () => {
    // Small limits keep thousands of near-limit cases fast; the rules do not depend on their size.
    // The queue leaves the body its 16 KiB allowance, as the module's validation requires.
    const config = loadProducerConfig({ QUEUE_URL, WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fuzz', MAX_BODY_BYTES: '8192', QUEUE_MAX_MESSAGE_BYTES: String(8192 + 16384) });
    const sqs = new StrictSqs(config.maxMessageBytes);
    const now = Date.now();
    const producer = createProducerHandler({ config, sqs, secrets: new SigningSecrets(async () => SECRET), logger: quiet, now: () => now });
    const table = new StrictTable();
    const consumer = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: 'events' }), dynamodb: table, logger: quiet });

    const random = seededRandom(SEED);
    const defects: string[] = [];
    const tally = { accepted: 0, refused: 0, escaped: 0 };
    const report = (index: number, fuzz: FuzzCase, problem: string) => defects.push(`#${index} ${fuzz.label}: ${problem}`);

    for (let index = 0; index < CASES; index++) {
      if (index % 200 === 0) otel.reset();
      const fuzz = fuzzCase(random, config.maxBodyBytes, config.maxMessageBytes);
      const before = sqs.messages.length;
      const event = restEvent(fuzz.body, { 'Stripe-Signature': signBytes(fuzz.bytes, SECRET, Math.floor(now / 1000)) }, fuzz.base64);
      const response = await producer(event);
      const queued = sqs.messages.slice(before);

      if (response.statusCode >= 400 && response.statusCode < 500) {
        tally.refused++;
        if (queued.length > 0) report(index, fuzz, `answered ${response.statusCode} but enqueued`);
        if (fuzz.mustAccept) report(index, fuzz, `a valid event that fits was refused: ${response.statusCode} ${response.body}`);
        continue;
      }
      if (response.statusCode !== 200 || queued.length !== 1) {
        report(index, fuzz, `answered ${response.statusCode} ${response.body} with ${queued.length} message(s)`);
        continue;
      }
      tally.accepted++;
      const [message] = queued as [(typeof queued)[number]];
      const encoding = message.MessageAttributes?.[BODY_ENCODING_ATTRIBUTE]?.StringValue ?? '(none)';
      if (encoding === 'escaped') tally.escaped++;
      if (sqsRefuses(message.Body ?? '')) report(index, fuzz, 'queued body holds characters SQS refuses');
      const signedText = decodeBody(message.Body ?? '', encoding);
      if (!Buffer.from(signedText, 'utf8').equals(fuzz.bytes)) report(index, fuzz, 'queued message does not decode to the signed bytes');

      const consumed = await consumer(toLambdaEvent([message], QUEUE_ARN));
      const id = (JSON.parse(signedText) as { id: string }).id;
      if (consumed.batchItemFailures.length > 0) report(index, fuzz, 'the consumer could not store an accepted event');
      else if (table.items.get(id)?.payload?.S !== signedText) {
        // A repeated id keeps its first payload (at-least-once); only a first store must match.
        const first = table.items.get(id)?.payload?.S;
        if (first === undefined || !sqs.messages.slice(0, before).some((m) => decodeBody(m.Body ?? '', m.MessageAttributes?.[BODY_ENCODING_ATTRIBUTE]?.StringValue ?? '') === first)) {
          report(index, fuzz, 'stored payload differs from the signed text');
        }
      }
    }

    expect(defects.slice(0, 20)).toEqual([]);
    // The generator must reach both sides, and the escaping path, for the run to mean anything.
    expect(tally.accepted).toBeGreaterThan(CASES / 5);
    expect(tally.refused).toBeGreaterThan(CASES / 5);
    expect(tally.escaped).toBeGreaterThan(CASES / 50);
  });
});
