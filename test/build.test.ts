import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readZip, runInTaskProcess, unpackFunction } from './support/bundle';

const FUNCTIONS = ['producer', 'consumer'] as const;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const zipOf = (name: string) => join(ROOT, 'dist', `${name}.zip`);

interface Metafile {
  inputs: Record<string, unknown>;
}

describe('make build', () => {
  let firstHashes: string[];

  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    firstHashes = FUNCTIONS.map((name) => sha256(zipOf(name)));
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, TZ: 'Pacific/Auckland' } });
  }, 60_000);

  it('gives byte-identical zips on a second build, in any time zone', () => {
    expect(FUNCTIONS.map((name) => sha256(zipOf(name)))).toEqual(firstHashes);
  });

  it.each(FUNCTIONS)('%s.zip holds only index.js', async (name) => {
    expect([...(await readZip(zipOf(name))).keys()]).toEqual(['index.js']);
  });

  it.each(FUNCTIONS)('%s: keeps @aws-sdk and @smithy external and bundles @opentelemetry/api 1.9.x', (name) => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', name, 'meta.json'), 'utf8')) as Metafile;
    const inputs = Object.keys(meta.inputs);
    expect(inputs.filter((input) => /node_modules\/(@aws-sdk|@smithy)\//.test(input))).toEqual([]);
    // The local runtime's IAM evaluator is AGPL-licensed: it must never reach a Lambda zip.
    expect(inputs.filter((input) => /node_modules\/@cloud-copilot\/|local-runtime\//.test(input))).toEqual([]);
    expect(inputs.some((input) => input.startsWith('node_modules/@opentelemetry/api/'))).toBe(true);
    const bundledApi = JSON.parse(readFileSync(join(ROOT, 'node_modules/@opentelemetry/api/package.json'), 'utf8')).version;
    expect(bundledApi).toMatch(/^1\.9\.\d+$/);
    const code = readFileSync(join(ROOT, 'dist', name, 'index.js'), 'utf8');
    expect(code).toContain(name === 'producer' ? 'require("@aws-sdk/client-sqs")' : 'require("@aws-sdk/client-dynamodb")');
  });

  const envFor = {
    producer: { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks', WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s' },
    consumer: { TABLE_NAME: 'events' },
  };

  it.each(FUNCTIONS)('%s: exports handler as a writable, configurable property the ADOT wrapper can replace', async (name) => {
    const task = await unpackFunction(zipOf(name));
    const result = runInTaskProcess(
      task,
      `const m = require('./index.js');
       const d = Object.getOwnPropertyDescriptor(m, 'handler');
       const original = m.handler;
       // What the layer's instrumentation does to the handler export.
       Object.defineProperty(m, 'handler', { value: async (...args) => original(...args), writable: true, configurable: true, enumerable: true });
       process.stdout.write(JSON.stringify({ type: typeof original, writable: d.writable, configurable: d.configurable, getter: typeof d.get, replaced: m.handler !== original }));`,
      envFor[name],
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ type: 'function', writable: true, configurable: true, getter: 'undefined', replaced: true });
  });

  it.each([
    ['producer', {}, 'QUEUE_URL is required'],
    ['producer', { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q', WEBHOOK_VERIFICATION: 'yes' }, 'WEBHOOK_VERIFICATION must be one of stripe, none'],
    ['consumer', {}, 'TABLE_NAME is required'],
    ['consumer', { TABLE_NAME: 't', MAX_CONCURRENCY: '-1' }, 'MAX_CONCURRENCY must be a whole number'],
  ] as const)('%s: a bad setting fails the cold start and names it (%j)', async (name, env, message) => {
    const task = await unpackFunction(zipOf(name));
    const result = runInTaskProcess(task, `require('./index.js')`, env as Record<string, string>);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it.each(FUNCTIONS)('%s: with OTEL_STRICT and no SDK the cold start fails; with an SDK registered first it starts', async (name) => {
    const task = await unpackFunction(zipOf(name));
    const traced = { ...envFor[name], AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', OTEL_STRICT: 'true' };
    const bare = runInTaskProcess(task, `require('./index.js')`, traced);
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain('no OpenTelemetry SDK registered');
    // As the layer does before the handler loads: an SDK registered through @opentelemetry/api 1.9.
    const withSdk = runInTaskProcess(
      task,
      `const { trace } = require('@opentelemetry/api');
       const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
       trace.setGlobalTracerProvider(new BasicTracerProvider());
       require('./index.js'); process.stdout.write('started');`,
      traced,
    );
    expect(withSdk.stderr).toBe('');
    expect(withSdk.stdout).toBe('started');
  });
});
