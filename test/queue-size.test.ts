// The producer's gate against the queue size really deployed (QUEUE_MAX_MESSAGE_BYTES): a body
// that cannot fit is answered 413, never sent for SendMessage to refuse (502, which the sender
// retries for days). SQS's limits are played by StrictSqs (body plus attributes against the
// queue's maximum), which the emulator does not enforce.
import { loadProducerConfig } from '../functions/producer/config';
import { createProducerHandler } from '../functions/producer/producer';
import { restEvent } from './support/http-events';
import { installOtel, type OtelHarness } from './support/otel';
import { StrictSqs } from './support/strict-sqs';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

/** A valid event of exactly `bytes` UTF-8 bytes, padded with `unit` (which SQS may make larger when escaped). */
function eventOfSize(bytes: number, unit = 'a'): string {
  const head = `{"id":"evt_size_${bytes}","type":"t","pad":"`;
  const tail = '"}';
  const room = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  const units = Math.floor(room / Buffer.byteLength(unit));
  return `${head}${unit.repeat(units)}${'a'.repeat(room - units * Buffer.byteLength(unit))}${tail}`;
}

function producerFor(queueBytes: number, env: Record<string, string> = {}) {
  const config = loadProducerConfig({ QUEUE_URL, WEBHOOK_VERIFICATION: 'none', QUEUE_MAX_MESSAGE_BYTES: String(queueBytes), ...env });
  const sqs = new StrictSqs(queueBytes);
  const handler = createProducerHandler({ config, sqs, logger: silent });
  return { config, sqs, post: (text: string) => handler(restEvent(text, {})) };
}

describe('the producer gate follows the deployed queue size', () => {
  let otel: OtelHarness;
  beforeAll(() => {
    // All propagators: the most trace attributes a message carries.
    otel = installOtel(['baggage', 'tracecontext', 'xray']);
  });
  afterAll(async () => otel.shutdown());
  beforeEach(() => otel.reset());

  it('on a 256 KiB queue, a body just under 256 KiB is refused with 413 and never sent', async () => {
    const { sqs, post } = producerFor(262144);
    const response = await post(eventOfSize(262100));
    expect(response.statusCode).toBe(413);
    expect(sqs.messages).toEqual([]);
  });

  it('on a 1 MiB queue (AWS provider 6.x), a 300 KB body is queued', async () => {
    const { sqs, post } = producerFor(1048576);
    const response = await post(eventOfSize(300_000));
    expect(response.statusCode).toBe(200);
    expect(sqs.messages).toHaveLength(1);
  });

  it.each([
    ['plain', 'a'],
    ['escaped by SQS rules (% grows to 3 bytes)', '%'],
    ['escaped by SQS rules (U+FFFE grows to 6 bytes)', '\ufffe'],
  ])('around the limit of a 256 KiB queue, every size answers 200 or 413, never 5xx (%s)', async (_label, unit) => {
    const { config, sqs, post } = producerFor(262144);
    const outcomes = new Set<number>();
    for (const bytes of [1024, 200_000, config.maxBodyBytes - 1, config.maxBodyBytes, config.maxBodyBytes + 1, 262_100, 262_144, 262_145]) {
      const before = sqs.messages.length;
      const response = await post(eventOfSize(bytes, unit));
      outcomes.add(response.statusCode);
      expect([200, 413]).toContain(response.statusCode);
      expect(sqs.messages.length - before).toBe(response.statusCode === 200 ? 1 : 0);
    }
    // Both sides are reached, or the sizes above mean nothing.
    expect([...outcomes].sort()).toEqual([200, 413]);
  });
});
