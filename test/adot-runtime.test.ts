// The local runtime's Lambda environment under the ADOT layer's real code (the distro npm
// package): a small handler in a temporary task folder, invoked as API Gateway and as the SQS
// event source mapping invoke, in the full SDK and in fast-start (lite) mode. Spans are read
// where the layer sends them in Lambda: UDP datagrams to AWS_XRAY_DAEMON_ADDRESS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADOT_DISTRO_PACKAGE, installedDistroVersion, otelInstrumentEnvironment } from '../local-runtime/adot-layer';
import { lambdaNodeBinary, LAMBDA_NODE_ENV } from '../local-runtime/lambda-node';
import { handlerLocation } from '../local-runtime/lambda-worker';
import { functionProcessEnvironment, LocalLambda, type LocalLambdaOptions } from '../local-runtime/local-lambda';
import type { SpanRecord } from '../local-runtime/span-file';
import { parseDatagram, startXrayDaemon, type LocalXrayDaemon } from '../local-runtime/xray-daemon';
import { ROOT } from './support/bundle';

jest.setTimeout(120_000);

const WRAPPERS = { full: '/opt/wrapper.js', lite: '/opt/lite-wrapper.js' };
const API_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const PRODUCER_HEADER = 'Root=1-6a1b2c3d-0123456789abcdef01234567;Parent=1122334455667788;Sampled=1';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:orders';

describe('otel-instrument, as the layer runs it before the runtime', () => {
  const base = { AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST' };

  it('fills the layer defaults and requires the full wrapper', () => {
    const env = otelInstrumentEnvironment(base, WRAPPERS);
    expect(env).toMatchObject({
      OTEL_PROPAGATORS: 'baggage,tracecontext,xray',
      OTEL_SERVICE_NAME: 'fn',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'aws-sdk,aws-lambda,http',
      OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      NODE_OPTIONS: '--require "/opt/wrapper.js"',
    });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toMatch(/^service\.name=fn,cloud\.region=us-east-1,cloud\.provider=aws,cloud\.platform=aws_lambda,faas\.name=fn,/);
  });

  it('keeps what the function sets, and always adds the Lambda and HTTP instrumentations to a list', () => {
    const env = otelInstrumentEnvironment({ ...base, OTEL_PROPAGATORS: 'xray', OTEL_SERVICE_NAME: 'svc', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'aws-sdk', NODE_OPTIONS: '--enable-source-maps' }, WRAPPERS);
    expect(env).toMatchObject({ OTEL_PROPAGATORS: 'xray', OTEL_SERVICE_NAME: 'svc', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'aws-sdk,aws-lambda,http' });
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps --require "/opt/wrapper.js"');
  });

  it('requires the lite wrapper in fast start, unless a metrics or logs exporter forces the full SDK', () => {
    expect(otelInstrumentEnvironment({ ...base, OTEL_AWS_LAMBDA_FAST_START: 'true' }, WRAPPERS).NODE_OPTIONS).toBe('--require "/opt/lite-wrapper.js"');
    const forced = otelInstrumentEnvironment({ ...base, OTEL_AWS_LAMBDA_FAST_START: 'true', OTEL_METRICS_EXPORTER: 'otlp' }, WRAPPERS);
    expect(forced).toMatchObject({ OTEL_AWS_LAMBDA_FAST_START: 'false', NODE_OPTIONS: '--require "/opt/wrapper.js"' });
  });

  it('runs the distro release the project pins', () => {
    const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[ADOT_DISTRO_PACKAGE];
    expect(pinned).toBe('0.13.0');
    expect(installedDistroVersion(ROOT)).toBe(pinned);
  });
});

describe('the runtime around the layer', () => {
  it('finds the handler file as the Lambda runtime does, and says why when it cannot', () => {
    const task = mkdtempSync(join(tmpdir(), 'task-'));
    writeFileSync(join(task, 'index.js'), '');
    writeFileSync(join(task, 'esm.mjs'), '');
    expect(handlerLocation(task, 'index.handler')).toEqual({ file: join(task, 'index.js'), exportName: 'handler' });
    expect(() => handlerLocation(task, 'esm.handler')).toThrow(/ES module handler/);
    expect(() => handlerLocation(task, 'index')).toThrow(/names no export/);
  });

  it('refuses to play nodejs22.x with another Node major, and says what to set', () => {
    expect(() => lambdaNodeBinary('nodejs22.x', ROOT, { [LAMBDA_NODE_ENV]: '/no/such/node' })).toThrow(/no such file/);
    if (!process.version.startsWith('v22.')) {
      expect(() => lambdaNodeBinary('nodejs22.x', ROOT, { [LAMBDA_NODE_ENV]: process.execPath })).toThrow(new RegExp(`is Node ${process.versions.node.split('.')[0]}; nodejs22.x runs Node 22`));
    }
    expect(() => lambdaNodeBinary('nodejs20.x', ROOT, {})).toThrow(/plays nodejs22.x, not nodejs20.x/);
  });

  it('gives the function Lambda’s variables and the deployed ones, then the layer script’s; refuses another exec wrapper', () => {
    const options = {
      functionName: 'fn',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      runtime: 'nodejs22.x',
      nodeBinary: '/node',
      taskDir: '/task',
      handler: 'index.handler',
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', OTEL_PROPAGATORS: 'xray', TABLE_NAME: 't' },
      environmentOverrides: { OTEL_AWS_LAMBDA_FAST_START: 'true' },
      tracingMode: 'Active' as const,
      timeoutSeconds: 3,
      memoryMb: 256,
      sdkNodePath: '/sdk',
      workerScript: '/worker.js',
      layerWrappers: WRAPPERS,
      xrayDaemonAddress: '127.0.0.1:2000',
      aws: {
        endpoint: 'https://127.0.0.1:5000',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'ASIAROLE', secretAccessKey: 'secret', sessionToken: 'token' },
        caFile: '/tls/cert.pem',
        logs: { endpoint: 'https://127.0.0.1:5000', region: 'eu-west-1' },
      },
    };
    expect(functionProcessEnvironment(options)).toMatchObject({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      LAMBDA_TASK_ROOT: '/task',
      _HANDLER: 'index.handler',
      TABLE_NAME: 't',
      OTEL_PROPAGATORS: 'xray',
      OTEL_SERVICE_NAME: 'fn',
      NODE_OPTIONS: '--require "/opt/lite-wrapper.js"',
      // The execution role's session, and the local AWS endpoint's certificate to trust.
      AWS_ACCESS_KEY_ID: 'ASIAROLE',
      AWS_SESSION_TOKEN: 'token',
      AWS_ENDPOINT_URL: 'https://127.0.0.1:5000',
      NODE_EXTRA_CA_CERTS: '/tls/cert.pem',
    });
    const untraced = functionProcessEnvironment({ ...options, environment: { TABLE_NAME: 't' }, environmentOverrides: {} });
    expect(untraced.NODE_OPTIONS).toBe('');
    expect(untraced.OTEL_PROPAGATORS).toBeUndefined();
    expect(() => functionProcessEnvironment({ ...options, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' } })).toThrow(/plays only the ADOT layer's \/opt\/otel-instrument/);
  });

  it('reads only the layer datagram format', () => {
    const payload = Buffer.from([1, 2, 3]);
    expect(parseDatagram(Buffer.from(`{"format":"json","version":1}\nT1U${payload.toString('base64')}`))).toEqual({ sampled: false, payload });
    expect(() => parseDatagram(Buffer.from('{"format":"json","version":1}\n{"trace_id":"1-2-3"}'))).toThrow(/unknown signal prefix/);
    expect(() => parseDatagram(Buffer.from('T1S AAAA'))).toThrow(/not an OTLP datagram/);
  });
});

/** A handler that opens a span of its own through the API it bundles, as ours do. */
const HANDLER = `
const api = require('@opentelemetry/api');
exports.handler = async (event) => {
  const span = api.trace.getTracer('test-handler').startSpan('handler-work');
  span.end();
  return { traceHeader: process.env._X_AMZN_TRACE_ID, records: (event.Records || []).length };
};
`;

const sqsEvent = {
  Records: [
    { messageId: 'm-1', eventSource: 'aws:sqs', eventSourceARN: QUEUE_ARN, body: '{}', attributes: { AWSTraceHeader: PRODUCER_HEADER }, messageAttributes: {} },
    { messageId: 'm-2', eventSource: 'aws:sqs', eventSourceARN: QUEUE_ARN, body: '{}', attributes: {}, messageAttributes: {} },
  ],
};

describe.each([
  ['the full SDK (register)', false],
  ['fast start (lite)', true],
])('a function under the real layer code: %s', (_mode, fastStart) => {
  let daemon: LocalXrayDaemon;
  let fn: LocalLambda;
  const spans: SpanRecord[] = [];
  let apiResult: { traceHeader: string } | undefined;
  let sqsResult: { traceHeader: string; records: number } | undefined;

  const waitForSpans = async (count: number) => {
    for (let i = 0; i < 100 && spans.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--local-runtime'], { cwd: ROOT, stdio: 'pipe' });
    const task = mkdtempSync(join(tmpdir(), 'adot-task-'));
    writeFileSync(join(task, 'index.js'), HANDLER);
    daemon = await startXrayDaemon((records) => spans.push(...records));
    const scripts = join(ROOT, 'dist/local-runtime');
    const options: LocalLambdaOptions = {
      functionName: 'adot-test',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:adot-test',
      runtime: 'nodejs22.x',
      nodeBinary: lambdaNodeBinary('nodejs22.x', ROOT),
      taskDir: task,
      handler: 'index.handler',
      // What the module deploys; OTEL_PROPAGATORS without xray shows which SDK reads it.
      environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', OTEL_PROPAGATORS: 'tracecontext', OTEL_METRICS_EXPORTER: 'none' },
      environmentOverrides: { OTEL_AWS_LAMBDA_FAST_START: String(fastStart) },
      tracingMode: 'Active',
      timeoutSeconds: 10,
      memoryMb: 128,
      sdkNodePath: join(ROOT, 'node_modules'),
      workerScript: join(scripts, 'lambda-worker.js'),
      layerWrappers: { full: join(scripts, 'layer-wrapper.js'), lite: join(scripts, 'layer-lite-wrapper.js') },
      xrayDaemonAddress: daemon.address,
      aws: {
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        logs: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
      },
    };
    fn = new LocalLambda(options);
    const api = await fn.invoke({ httpMethod: 'POST', headers: {} }, 'http', API_HEADER);
    const sqs = await fn.invoke(sqsEvent, 'pubsub');
    if (!api.ok || !sqs.ok) throw new Error(`invocation failed: ${JSON.stringify([api, sqs])}\n${fn.logs()}`);
    apiResult = api.result as typeof apiResult;
    sqsResult = sqs.result as typeof sqsResult;
    await waitForSpans(5);
  });

  afterAll(async () => {
    await fn?.stop();
    await daemon?.close();
  });

  it('sets _X_AMZN_TRACE_ID per invocation: the caller’s header, else a new sampled root', () => {
    expect(apiResult?.traceHeader).toBe(API_HEADER);
    expect(sqsResult?.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    expect(sqsResult?.traceHeader).not.toContain(PRODUCER_HEADER.slice(5, 40));
    expect(daemon.rejected).toEqual([]);
  });

  it('receives the layer’s invocation span, the handler’s span beneath it, over UDP as sampled', () => {
    const invocations = spans.filter((span) => span.name === 'adot-test' && span.kind === 'SERVER');
    expect(invocations).toHaveLength(2);
    for (const invocation of invocations) {
      const work = spans.find((span) => span.name === 'handler-work' && span.traceId === invocation.traceId);
      expect(work?.service).toBe('adot-test');
      expect(invocation.sampled).toBe(true);
      expect(invocation.attributes['cloud.account.id']).toBe('123456789012');
    }
  });

  it(
    fastStart
      ? 'ignores OTEL_PROPAGATORS in lite mode: the X-Ray header is still continued'
      : 'reads _X_AMZN_TRACE_ID through OTEL_PROPAGATORS: without xray, API Gateway’s trace is not continued',
    () => {
      const apiTraceId = '5759e988bd862e3fe1be46a994272793';
      const apiInvocation = spans.find((span) => span.name === 'adot-test' && span.attributes['faas.trigger'] !== 'pubsub');
      if (fastStart) {
        expect(apiInvocation?.traceId).toBe(apiTraceId);
        expect(apiInvocation?.parentSpanId).toBe('53995c3f42cd8ad8');
      } else {
        expect(apiInvocation?.traceId).not.toBe(apiTraceId);
        expect(apiInvocation?.parentSpanId).toBeUndefined();
      }
    },
  );

  it(
    fastStart ? 'opens the batch span `process <queue>`, without links in lite mode' : 'opens the batch span `process <queue>` linked to each record’s AWSTraceHeader',
    () => {
      const batch = spans.find((span) => span.name === 'process orders');
      expect(batch).toMatchObject({ kind: 'CONSUMER', attributes: expect.objectContaining({ 'messaging.system': 'aws_sqs', 'messaging.batch.message_count': 2 }) });
      const invocation = spans.find((span) => span.spanId === batch?.parentSpanId);
      expect(invocation).toMatchObject({ kind: 'SERVER', name: 'adot-test', traceId: batch?.traceId });
      expect(batch?.links).toEqual(fastStart ? [] : [{ traceId: '6a1b2c3d0123456789abcdef01234567', spanId: '1122334455667788', attributes: { 'messaging.message.id': 'm-1' } }]);
      // The invocation's trace is Lambda's new root in lite mode; the full SDK reads it through
      // OTEL_PROPAGATORS, which lacks xray here, and starts a trace of its own.
      const lambdaRoot = (sqsResult?.traceHeader.match(/Root=1-([0-9a-f]{8})-([0-9a-f]{24})/) ?? []).slice(1).join('');
      expect(invocation?.traceId === lambdaRoot).toBe(fastStart);
    },
  );
});
