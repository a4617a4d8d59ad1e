// Benchmark child process (bundled by bench/run.mjs into bench/.out/harness.cjs with the
// functions' esbuild settings). One process measures one variant, so the OpenTelemetry SDK,
// JIT state and sockets of one never leak into another. Usage:
//   node bench/.out/harness.cjs '<json task>'   -> prints one JSON line with the samples.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import Stripe from 'stripe';

import { loadConsumerConfig } from '../../functions/consumer/config';
import { createConsumerHandler } from '../../functions/consumer/consumer';
import { createDynamoDbClient } from '../../functions/consumer/dynamodb-client';
import { createLogger } from '../../functions/lib/logger';
import { loadProducerConfig } from '../../functions/producer/config';
import { createProducerHandler } from '../../functions/producer/producer';
import { SigningSecrets } from '../../functions/producer/signing-secrets';
import { SENDERS } from '../../functions/producer/senders';
import { newSigningSecret, signedWebhook } from '../../local-runtime/webhook-senders';
import { createBaselineConsumerHandler } from '../baseline/consumer.mjs';
import { startFakeAwsEndpoint } from '../lib/fake-aws.mjs';

const BENCH_DIR = resolve(dirname(__filename), '..');
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:webhooks';
const CREDENTIALS = { accessKeyId: 'AKIDBENCHFAKE', secretAccessKey: 'bench-fake-secret' };
const silentLogger = createLogger({ component: 'bench' }, () => {});

/** An exporter that counts and drops: the cost of exporting is not ours, and memory stays flat. */
class DiscardingExporter {
  count = 0;
  export(spans, done) {
    this.count += spans.length;
    done({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

/**
 * The real OpenTelemetry SDK, registered globally as the ADOT layer does (propagator xray, as the
 * module sets OTEL_PROPAGATORS). `batch`: a BatchSpanProcessor (as the layer uses) with an exporter
 * that discards; `memory`: a SimpleSpanProcessor into memory (the producer measurement).
 * `spanCount()` flushes and returns the spans finished since the last `reset()`.
 */
function installOtelSdk(kind = 'memory') {
  const exporter = kind === 'batch' ? new DiscardingExporter() : new InMemorySpanExporter();
  const processor = kind === 'batch' ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new AWSXRayPropagator());
  return {
    exporter,
    provider,
    spanCount: async () => {
      await provider.forceFlush();
      return kind === 'batch' ? exporter.count : exporter.getFinishedSpans().length;
    },
    reset: async () => {
      await provider.forceFlush();
      if (kind === 'batch') exporter.count = 0;
      else exporter.reset();
    },
  };
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
const xrayHeader = () => `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)};Parent=${hex(8)};Sampled=1`;

/** An SQS record as Lambda delivers it, carrying the producer's trace context as our producer writes it. `padBytes` pads the payload. */
function sqsRecord(padBytes = 0) {
  const eventId = `evt_${hex(12)}`;
  const header = xrayHeader();
  const body = {
    eventId,
    type: 'payment_intent.succeeded',
    receivedAt: new Date().toISOString(),
    payload: { id: eventId, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: { id: `pi_${hex(8)}`, amount: 2000, currency: 'usd', status: 'succeeded', ...(padBytes > 0 ? { metadata: { pad: 'x'.repeat(padBytes) } } : {}) } } },
  };
  return {
    messageId: randomUUID(),
    receiptHandle: hex(32),
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDAIENQZJOLO23YVJ4VO', ApproximateFirstReceiveTimestamp: String(Date.now()), AWSTraceHeader: header },
    messageAttributes: { 'x-amzn-trace-id': { dataType: 'String', stringValue: header, stringListValues: [], binaryListValues: [] } },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}
const sqsEvent = (size, padBytes = 0) => ({ Records: Array.from({ length: size }, () => sqsRecord(padBytes)) });

function lambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bench-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-consumer',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/bench-consumer',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The baseline's client: the SDK's defaults (pool of 50 sockets); `maxAttempts` undefined keeps the SDK's 3. */
function dynamodbClient(endpoint, maxAttempts = 1) {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts });
}

/**
 * Registers what the variant runs with:
 *   ours-traced        the OTel SDK recording (tracer provider, context manager, propagator)
 *   ours-context-only  diagnostic: context manager and propagator, no tracer provider (spans not recorded)
 *   ours-untraced      nothing registered: the API is a no-op
 *   baseline           nothing registered (the Powertools baseline does not use OpenTelemetry)
 */
function setUpVariant(variant) {
  if (variant === 'ours-traced') return installOtelSdk('batch');
  if (variant === 'ours-context-only') {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new AWSXRayPropagator());
  }
  return undefined;
}

/**
 * Returns the variant's handler as (event) => Promise<response>. Ours runs with its defaults
 * (functions/consumer/config.ts: pool, concurrency, attempts) and its own client factory; the
 * baseline with the SDK's default client. `retries`: false makes one attempt per call (nothing
 * fails in those measurements), true keeps each side's retry settings (the throttle scenario).
 */
function consumerFor(variant, endpoint, { retries = false } = {}) {
  if (variant === 'baseline') {
    const dynamodb = dynamodbClient(endpoint, retries ? undefined : 1);
    const handler = createBaselineConsumerHandler({ tableName: 'webhook-events', idempotencyTableName: 'idempotency', dynamodb });
    return { handler: (event) => handler(event, lambdaContext()), dynamodb };
  }
  const config = loadConsumerConfig({ TABLE_NAME: 'webhook-events' });
  const dynamodb = createDynamoDbClient(config, { endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...(retries ? {} : { maxAttempts: 1 }) });
  const handler = createConsumerHandler({ config, dynamodb, logger: silentLogger });
  return { handler, dynamodb, config };
}

function assertNoFailures(response, where) {
  if (!response || !Array.isArray(response.batchItemFailures) || response.batchItemFailures.length > 0) {
    throw new Error(`${where}: a record failed: ${JSON.stringify(response)}`);
  }
}

async function consumerThroughput(task, fake) {
  const otel = setUpVariant(task.variant);
  const { handler } = consumerFor(task.variant, fake.url);
  /** Runs batches of `size` until `ms` of handler time has passed; only the handler calls are timed, not building the events. */
  const run = async (size, ms) => {
    let handlerNs = 0n;
    let records = 0;
    while (Number(handlerNs) / 1e6 < ms) {
      const event = sqsEvent(size);
      const started = process.hrtime.bigint();
      const response = await handler(event);
      handlerNs += process.hrtime.bigint() - started;
      assertNoFailures(response, 'throughput');
      records += size;
    }
    return { records, seconds: Number(handlerNs) / 1e9 };
  };
  // The SDK and the handler need a few thousand calls before the JIT settles.
  for (const size of task.batchSizes) await run(size, task.warmupMs / task.batchSizes.length);
  await otel?.reset();
  await fake.reset();
  const bySize = Object.fromEntries(task.batchSizes.map((size) => [size, { samples: [] }]));
  let spans = 0;
  let records = 0;
  // Batch sizes take turns, so a slow moment of the machine is shared between them.
  for (let s = 0; s < task.samples; s++) {
    for (const size of task.batchSizes) {
      const sample = await run(size, task.sampleMs);
      bySize[size].samples.push(sample.records / sample.seconds);
      records += sample.records;
      if (otel) {
        spans += await otel.spanCount();
        await otel.reset();
      }
    }
  }
  const { counts } = await fake.stats();
  if (otel && spans !== records) throw new Error(`tracing did not record: ${spans} spans for ${records} records`);
  return { bySize, records, spansRecorded: otel ? spans : 0, dynamodbCallsPerRecord: perRecord(counts, records) };
}

const perRecord = (counts, records) => Object.fromEntries(Object.entries(counts).map(([op, n]) => [op, n / records]));

async function batchLatency(task, fake) {
  const otel = setUpVariant(task.variant);
  const { handler, dynamodb } = consumerFor(task.variant, fake.url);
  // Warm the code paths and the connection pool with no delay, then switch the delay on.
  const warmUntil = Date.now() + task.warmupMs;
  // Batches above 100 take the same code path; warming with them would only take longer.
  const warmSizes = task.batchSizes.filter((size) => size <= 100);
  while (Date.now() < warmUntil) for (const size of warmSizes) assertNoFailures(await handler(sqsEvent(size)), 'warm-up');
  await otel?.reset();
  await fake.setDelay(task.delayMs);
  // One SDK call on its own: the measured length of one round trip.
  const singleCallMs = [];
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    await dynamodb.send(new PutItemCommand({ TableName: 'probe', Item: { eventId: { S: `probe_${i}` } } }));
    singleCallMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const bySize = {};
  for (const size of task.batchSizes) {
    await fake.reset();
    const samples = [];
    const iterations = task.iterations[size] ?? task.iterations.default;
    for (let i = 0; i < iterations; i++) {
      const event = sqsEvent(size);
      const started = process.hrtime.bigint();
      assertNoFailures(await handler(event), 'latency');
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      await otel?.reset();
    }
    const { counts, maxInFlight } = await fake.stats();
    bySize[size] = { samples, dynamodbCallsPerRecord: perRecord(counts, iterations * size), maxInFlight };
  }
  return { bySize, singleCallMs };
}

// ---- batch scale: throttling and memory (issue 12) ------------------------------------------------

/** Successful writes to the events table: the records stored (throttled answers are counted apart). */
const storedWrites = (counts) => (counts['webhook-events:PutItem'] ?? 0) - (counts['throttled:webhook-events:PutItem'] ?? 0);
const throttledCalls = (counts) => Object.entries(counts).reduce((sum, [key, n]) => (key.startsWith('throttled:') ? sum + n : sum), 0);

/**
 * A batch of `batchSize` at `delayMs` per call, first with no throttling, then with `share` of
 * DynamoDB calls throttled, taking turns. Each side keeps its own retry settings.
 */
async function throttleScenario(task, fake) {
  const otel = setUpVariant(task.variant);
  const { handler } = consumerFor(task.variant, fake.url, { retries: true });
  const warmUntil = Date.now() + task.warmupMs;
  while (Date.now() < warmUntil) assertNoFailures(await handler(sqsEvent(100)), 'warm-up');
  await fake.setDelay(task.delayMs);
  const runs = { clean: [], throttled: [] };
  for (let i = 0; i < task.iterations; i++) {
    for (const kind of ['clean', 'throttled']) {
      await fake.setThrottle(kind === 'throttled' ? task.share : 0);
      await fake.reset();
      const started = process.hrtime.bigint();
      let response;
      try {
        response = await handler(sqsEvent(task.batchSize));
      } catch (error) {
        // Powertools throws when every record of the batch failed.
        response = { batchItemFailures: Array.from({ length: task.batchSize }), thrown: String(error) };
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const { counts } = await fake.stats();
      runs[kind].push({ ms, failed: response.batchItemFailures.length, stored: storedWrites(counts), throttledCalls: throttledCalls(counts) });
      await otel?.reset();
    }
  }
  await fake.setThrottle(0);
  return runs;
}

/** Peak resident memory while one batch of `records` records with `padBytes` of payload each runs. */
async function memoryScenario(task, fake) {
  const otel = setUpVariant(task.variant);
  const { handler } = consumerFor(task.variant, fake.url);
  assertNoFailures(await handler(sqsEvent(10, task.padBytes)), 'warm-up');
  await otel?.reset();
  await fake.setDelay(task.delayMs);
  const event = sqsEvent(task.records, task.padBytes);
  const eventBytes = Buffer.byteLength(JSON.stringify(event));
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const started = process.hrtime.bigint();
  const response = await handler(event);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  assertNoFailures(response, 'memory');
  const spans = otel ? await otel.spanCount() : 0;
  // maxRSS (KiB) covers the whole process life, warm-up and building the event included.
  return { eventBytes, rssBeforeMiB: rssBefore / 2 ** 20, peakRssMiB: peak / 2 ** 20, maxRssMiB: process.resourceUsage().maxRSS / 1024, ms, spans };
}

// ---- per-record tracing cost (issue 12) -------------------------------------------------------------

/**
 * The consumer's own CPU per record, DynamoDB being an in-process client that answers at once, so
 * no HTTP or AWS SDK work is in the figure. Run once per variant (ours-traced: the OpenTelemetry
 * SDK with a BatchSpanProcessor and an exporter that discards; ours-untraced: no SDK); the
 * difference between the two is the tracing work per record (extract, span, attributes, end, the
 * context manager over our own promises). CPU time (process.cpuUsage), which a busy machine
 * disturbs less than wall time.
 */
async function tracingCost(task) {
  const otel = setUpVariant(task.variant);
  const config = loadConsumerConfig({ TABLE_NAME: 'webhook-events' });
  const instantClient = { send: async () => ({}) };
  const handler = createConsumerHandler({ config, dynamodb: instantClient, logger: silentLogger });
  const events = Array.from({ length: 16 }, () => sqsEvent(task.batchSize));
  let turn = 0;
  const run = async (ms) => {
    const cpu0 = process.cpuUsage();
    const started = Date.now();
    let records = 0;
    while (Date.now() - started < ms) {
      assertNoFailures(await handler(events[turn++ % events.length]), 'tracing cost');
      records += task.batchSize;
    }
    const cpu = process.cpuUsage(cpu0);
    return { micros: (cpu.user + cpu.system) / records, records };
  };
  await run(task.warmupMs);
  await otel?.reset();
  const samples = [];
  let records = 0;
  // The measured window on the monotonic clock V8's profiler also stamps samples with (µs), so a
  // --cpu-prof profile can be cut to it, leaving start-up and warm-up out.
  const windowStartUs = Number(process.hrtime.bigint() / 1000n);
  for (let s = 0; s < task.samples; s++) {
    const sample = await run(task.sampleMs);
    samples.push(sample.micros);
    records += sample.records;
  }
  const window = { startUs: windowStartUs, endUs: Number(process.hrtime.bigint() / 1000n) };
  const spans = otel ? await otel.spanCount() : 0;
  if (otel && spans !== records) throw new Error(`tracing did not record: ${spans} spans for ${records} records`);
  return { cpuMicrosPerRecord: samples, spans, records, window };
}

const stripe = new Stripe('sk_test_bench_only');
const SECRET = 'whsec_bench_only_secret';

/** A Stripe-style event of exactly `bytes` bytes of JSON. */
function stripeEventOfSize(bytes) {
  const event = { id: `evt_${hex(12)}`, object: 'event', api_version: '2024-06-20', type: 'invoice.paid', created: Math.floor(Date.now() / 1000), data: { object: { id: `in_${hex(8)}`, object: 'invoice', amount_paid: 2000, currency: 'usd', metadata: { pad: '' } } } };
  const base = JSON.stringify(event).length;
  if (base > bytes) throw new Error(`event is already ${base} bytes`);
  event.data.object.metadata.pad = 'x'.repeat(bytes - base);
  const text = JSON.stringify(event);
  if (text.length !== bytes) throw new Error('size mismatch');
  return text;
}

function restEvent(body) {
  const headers = { 'Content-Type': 'application/json', 'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }), 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' };
  return { resource: '/webhook', path: '/webhook', httpMethod: 'POST', headers, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, stageVariables: null, requestContext: {}, body, isBase64Encoded: false };
}

async function producerTime(task, fake) {
  const otel = installOtelSdk();
  const config = loadProducerConfig({ QUEUE_URL: `${fake.url}/123456789012/webhooks`, WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench' });
  const sqs = new SQSClient({ endpoint: fake.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const handler = createProducerHandler({ config, sqs, secrets: new SigningSecrets(async () => SECRET), logger: silentLogger });
  /** Calls the handler until `ms` of handler time has passed; signing the requests is not timed. */
  const run = async (body, ms) => {
    let handlerNs = 0n;
    let calls = 0;
    while (Number(handlerNs) / 1e6 < ms) {
      const event = restEvent(body);
      const started = process.hrtime.bigint();
      const response = await handler(event);
      handlerNs += process.hrtime.bigint() - started;
      if (response.statusCode !== 200) throw new Error(`producer answered ${response.statusCode}: ${response.body}`);
      calls += 1;
    }
    otel.exporter.reset();
    return Number(handlerNs) / 1e6 / calls;
  };
  const bodies = Object.fromEntries(task.sizes.map((bytes) => [bytes, stripeEventOfSize(bytes)]));
  for (const bytes of task.sizes) await run(bodies[bytes], task.warmupMs / task.sizes.length);
  await fake.reset();
  const bySize = Object.fromEntries(task.sizes.map((bytes) => [bytes, { samples: [] }]));
  for (let s = 0; s < task.samples; s++) for (const bytes of task.sizes) bySize[bytes].samples.push(await run(bodies[bytes], task.sampleMs));
  const { counts } = await fake.stats();
  return { bySize, sqsCalls: counts };
}

/** A body of exactly `bytes` bytes as `scheme`'s sender signs it, with a fresh id for each request. */
function schemeRequest(scheme, secret, bytes, tag) {
  const id = `${scheme === 'stripe' ? 'evt' : 'id'}_${hex(10)}_${tag}`;
  const type = { stripe: 'invoice.paid', github: 'push', 'standard-webhooks': 'invoice.paid', shopify: 'orders/create', slack: 'message' }[scheme];
  const base = Buffer.byteLength(signedWebhook(scheme, secret, { id, type, data: { pad: '' } }).body);
  if (base > bytes) throw new Error(`${scheme} event is already ${base} bytes`);
  const signed = signedWebhook(scheme, secret, { id, type, data: { pad: 'x'.repeat(bytes - base) } });
  if (Buffer.byteLength(signed.body) !== bytes) throw new Error(`${scheme}: size mismatch`);
  return signed;
}

/**
 * The producer's time per request for each sender's scheme (verify, read the identity, inject,
 * send to a fake in-process SQS), one source per scheme on /webhooks/<scheme>, each request timed
 * on its own so the tail shows: what a sender's deadline is measured against, less the network
 * and API Gateway. Signing the requests is not timed.
 */
async function producerSchemes(task, fake) {
  installOtelSdk();
  const schemes = Object.keys(SENDERS);
  const secrets = Object.fromEntries(schemes.map((scheme) => [scheme, newSigningSecret(scheme)]));
  const sources = Object.fromEntries(schemes.map((scheme) => [scheme, { scheme, secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${scheme}` }]));
  const config = loadProducerConfig({ QUEUE_URL: `${fake.url}/123456789012/webhooks`, WEBHOOK_VERIFICATION: 'off', WEBHOOK_SOURCES: JSON.stringify(sources), MAX_BODY_BYTES: String(task.bytes + 1024) });
  const sqs = new SQSClient({ endpoint: fake.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const cache = new Map();
  const sourceSecrets = (source) => {
    if (!cache.has(source.name)) cache.set(source.name, new SigningSecrets(async () => secrets[source.scheme], 60_000, Date.now, SENDERS[source.scheme].parseSecrets));
    return cache.get(source.name);
  };
  const handler = createProducerHandler({ config, sqs, sourceSecrets, logger: silentLogger });
  const call = async (scheme, i) => {
    const signed = schemeRequest(scheme, secrets[scheme], task.bytes, i);
    const event = { resource: '/webhooks/{source}', path: `/webhooks/${scheme}`, httpMethod: 'POST', headers: signed.headers, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: { source: scheme }, stageVariables: null, requestContext: {}, body: signed.body, isBase64Encoded: false };
    const started = process.hrtime.bigint();
    const response = await handler(event);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.statusCode !== 200) throw new Error(`${scheme}: producer answered ${response.statusCode}: ${response.body}`);
    return ms;
  };
  for (let i = 0; i < task.warmup; i++) for (const scheme of schemes) await call(scheme, `w${i}`);
  const byScheme = Object.fromEntries(schemes.map((scheme) => [scheme, []]));
  // Interleaved, so a slow moment of the machine falls on every scheme alike.
  for (let i = 0; i < task.requests; i++) for (const scheme of schemes) byScheme[scheme].push(await call(scheme, i));
  return { byScheme };
}

async function main() {
  const task = JSON.parse(process.argv[2] ?? '{}');
  const fake = await startFakeAwsEndpoint({ benchDir: BENCH_DIR });
  try {
    let result;
    if (task.mode === 'throughput') result = await consumerThroughput(task, fake);
    else if (task.mode === 'latency') result = await batchLatency(task, fake);
    else if (task.mode === 'producer') result = await producerTime(task, fake);
    else if (task.mode === 'producer-schemes') result = await producerSchemes(task, fake);
    else if (task.mode === 'throttle') result = await throttleScenario(task, fake);
    else if (task.mode === 'memory') result = await memoryScenario(task, fake);
    else if (task.mode === 'tracing-cost') result = await tracingCost(task);
    else throw new Error(`unknown mode ${task.mode}`);
    process.stdout.write(JSON.stringify({ task, result }) + '\n');
  } finally {
    await fake.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
