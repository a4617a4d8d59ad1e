import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConsumerConfig } from '../functions/consumer/config';
import { createConsumerHandler } from '../functions/consumer/consumer';
import { createLogger } from '../functions/lib/logger';
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { SigningSecrets } from '../functions/producer/signing-secrets';
import { toLambdaEvent } from '../local-runtime/sqs-records';
import { createEventsTable, createQueue, dynamoClient, receiveAll, scanTable, sqsClient } from './support/aws';
import { restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { nowSeconds } from './support/stripe';
import { fuzzCase, seededRandom, signBytes, sqsRefuses } from './support/webhook-fuzz';

const SECRET = 'whsec_fidelity';
const quiet = createLogger({}, () => undefined);

/** Bodies a re-serializing pipeline would change (or fail on), each with its own id. */
const NASTY: string[] = [
  `{"id":"evt_deep_arrays","type":"t","data":${'['.repeat(6000)}1e20${']'.repeat(6000)}}`,
  `{"id":"evt_deep_objects","type":"t","data":${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}}`,
  '{"id":"evt_numbers","type":"t","n":[1e20,1E+20,-0,0.10,1.0,5e-324,123456789012345678901234567890]}',
  '{"id":"evt_escaped_nonchars","type":"t","s":"\\uFFFE\\uFFFF"}',
  '{"id":"evt_lone_surrogate_escapes","type":"t","s":"\\ud800 \\udc00 \\u0000 \\u001f"}',
  '{"id":"evt_raw_nonchars","type":"t","s":"\ufffe \uffff 50% %uFFFE %25"}',
  '{"id":"evt_unicode","type":"t","s":"caf\u00e9 \u{1F600} \u4e2d \u2028 \ue000 \u{10FFFF} \ufffd"}',
  '{ "id" : "evt_spacing" ,\n\t"type" : "t" , "dup" : 1 , "dup" : 2 }\n',
  `{"id":"evt_big","type":"t","pad":"${'\u00e9'.repeat(100_000)}\ufffe"}`,
];

describe('the stored payload is the text that was signed (producer -> SQS -> consumer -> DynamoDB, emulated)', () => {
  let otel: OtelHarness;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;

  beforeAll(() => {
    otel = installOtel(['baggage', 'tracecontext', 'xray']);
    sqs = sqsClient();
    dynamodb = dynamoClient();
  });
  afterAll(async () => otel.shutdown());

  it('for the nasty bodies and for seeded fuzz bodies the producer accepts', async () => {
    const queue = await createQueue(sqs);
    const table = await createEventsTable(dynamodb);
    const config = loadProducerConfig({ QUEUE_URL: queue.url, WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fidelity' });
    const producer = createProducerHandler({ config, sqs, secrets: new SigningSecrets(async () => SECRET), logger: quiet });
    const consumer = createConsumerHandler({ config: loadConsumerConfig({ TABLE_NAME: table }), dynamodb, logger: quiet });

    // Seeded fuzz bodies that must be accepted, one per id (a repeated id keeps its first payload).
    const random = seededRandom(7);
    const signedById = new Map<string, string>(NASTY.map((text) => [(JSON.parse(text) as { id: string }).id, text]));
    for (let i = 0; signedById.size < NASTY.length + 30 && i < 5000; i++) {
      const fuzz = fuzzCase(random, 16_384, 16_384 + 16_384);
      if (!fuzz.mustAccept) continue;
      const text = fuzz.bytes.toString('utf8');
      const id = (JSON.parse(text) as { id: string }).id;
      if (!signedById.has(id)) signedById.set(id, text);
    }

    for (const [id, text] of signedById) {
      const bytes = Buffer.from(text, 'utf8');
      const response = await producer(restEvent(text, { 'Stripe-Signature': signBytes(bytes, SECRET, nowSeconds()) }));
      expect({ id: id.slice(0, 40), status: response.statusCode }).toEqual({ id: id.slice(0, 40), status: 200 });
    }
    const messages = await receiveAll(sqs, queue.url, signedById.size + 10);
    expect(messages).toHaveLength(signedById.size);
    // The emulator does not check SQS's character set; real SQS would refuse these messages.
    expect(messages.filter((message) => sqsRefuses(message.Body ?? '')).map((message) => message.MessageId)).toEqual([]);
    for (let i = 0; i < messages.length; i += 10) {
      expect((await consumer(toLambdaEvent(messages.slice(i, i + 10), queue.arn))).batchItemFailures).toEqual([]);
    }

    const stored = new Map((await scanTable(dynamodb, table)).map((item) => [item.eventId, item.payload]));
    expect(stored.size).toBe(signedById.size);
    const differing = [...signedById].filter(([id, text]) => stored.get(id) !== text).map(([id]) => id.slice(0, 40));
    expect(differing).toEqual([]);
  });
});
