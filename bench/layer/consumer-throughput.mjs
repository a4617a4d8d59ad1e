// Per-record cost of tracing under the ADOT layer's real code: our built consumer (dist/consumer,
// unpacked by bench/run.mjs) runs in a fresh Node 22 whose NODE_OPTIONS `--require`d the layer's
// wrapper (full SDK or lite) or nothing (no layer). The handler is loaded from LAMBDA_TASK_ROOT +
// _HANDLER, so the layer's aws-lambda instrumentation wraps it and each batch costs what it costs
// in Lambda: the invocation and `process <queue>` spans, a `process-webhook` and a DynamoDB client
// span per record, the layer's span processor and its UDP exporter (to a sink run by run.mjs), and
// the flush at the end of every invocation. DynamoDB is the FAKE in-process endpoint.
//   node bench/layer/consumer-throughput.mjs '<json task>'   -> prints one JSON line.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAwsEndpoint } from '../lib/fake-aws.mjs';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = JSON.parse(process.argv[2] ?? '{}');
const hex = (bytes) => randomBytes(bytes).toString('hex');
const xrayRoot = () => `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)};Parent=${hex(8)};Sampled=1`;

/** A batch as the event source mapping delivers it, each record carrying its producer's X-Ray header. */
function batch(size, queueArn) {
  return {
    Records: Array.from({ length: size }, () => {
      const eventId = `evt_${hex(12)}`;
      const header = xrayRoot();
      const now = String(Date.now());
      return {
        messageId: randomUUID(),
        receiptHandle: hex(16),
        body: JSON.stringify({ eventId, type: 'invoice.paid', receivedAt: new Date().toISOString(), payload: { id: eventId, object: 'event', type: 'invoice.paid' } }),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAFAKE', ApproximateFirstReceiveTimestamp: now, AWSTraceHeader: header },
        messageAttributes: { 'x-amzn-trace-id': { dataType: 'String', stringValue: header, stringListValues: [], binaryListValues: [] } },
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: 'us-east-1',
      };
    }),
  };
}

function lambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

const fake = await startFakeAwsEndpoint({ benchDir: BENCH_DIR });
try {
  // The consumer builds its DynamoDB client from the environment at load.
  process.env.AWS_ENDPOINT_URL = fake.url;
  const [file, exportName] = process.env._HANDLER.split('.');
  const handler = createRequire(import.meta.url)(join(process.env.LAMBDA_TASK_ROOT, `${file}.js`))[exportName];
  const queueArn = 'arn:aws:sqs:us-east-1:123456789012:webhooks';
  /** Invokes batches of `size` until `ms` of handler time has passed; only the handler is timed. */
  const run = async (size, ms) => {
    let ns = 0n;
    let records = 0;
    while (Number(ns) / 1e6 < ms) {
      const event = batch(size, queueArn);
      // As Lambda sets it for every SQS-triggered invocation: a new sampled root.
      process.env._X_AMZN_TRACE_ID = xrayRoot();
      const started = process.hrtime.bigint();
      const response = await handler(event, lambdaContext());
      ns += process.hrtime.bigint() - started;
      if (!response || response.batchItemFailures?.length) throw new Error(`a record failed: ${JSON.stringify(response)}`);
      records += size;
    }
    return records / (Number(ns) / 1e9);
  };
  for (const size of task.batchSizes) await run(size, task.warmupMs / task.batchSizes.length);
  const bySize = Object.fromEntries(task.batchSizes.map((size) => [size, { samples: [] }]));
  for (let s = 0; s < task.samples; s++) for (const size of task.batchSizes) bySize[size].samples.push(await run(size, task.sampleMs));
  process.stdout.write(JSON.stringify({ wrapped: handler.__wrapped === true, bySize }) + '\n');
} finally {
  await fake.close();
}
process.exit(0);
