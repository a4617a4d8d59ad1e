// functions/lib as the npm package a team installs: `npm pack`, installed into a scratch project
// with its peer dependency, a consumer and a producer of the project's own compiled against the
// installed types with `tsc --strict`, bundled with esbuild, run on the emulator under the real
// OpenTelemetry SDK.
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClientConfig } from '../local-runtime/local-pipeline';
import { toLambdaRecord } from '../local-runtime/sqs-records';
import { ROOT } from './support/bundle';

jest.setTimeout(240_000);

const LIB = join(ROOT, 'functions/lib');
const FIXTURE = join(ROOT, 'test/fixtures/lib-consumer-project');
const installedVersion = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface SpanOut {
  name: string;
  traceId: string;
  parentSpanId?: string;
  status: number;
  attributes: Record<string, unknown>;
  links: string[];
}

interface Sent {
  messageId: string;
  written: string[];
  traceId: string;
  orderId: string;
}

describe('the tracing library as an npm package, in a scratch project', () => {
  let work: string;
  let project: string;
  let tarball: string;

  /** Runs a handler bundle under the SDK (run.js) and returns what it wrote. */
  const runHandler = (kind: 'producer' | 'consumer', input: unknown, env: Record<string, string>): unknown => {
    writeFileSync(join(project, `${kind}-in.json`), JSON.stringify(input));
    const result = spawnSync(process.execPath, ['run.js', kind, `${kind}-in.json`, `${kind}-out.json`], { cwd: project, encoding: 'utf8', env: { ...process.env, ...env } });
    if (result.status !== 0) throw new Error(`run.js ${kind} failed:\n${result.stderr}`);
    return JSON.parse(readFileSync(join(project, `${kind}-out.json`), 'utf8'));
  };
  const tsc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], { cwd: project, encoding: 'utf8' });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'lib-package-'));
    // Packed from a copy of the committed-to-be files, so a parallel `make lib` (examples/custom-consumer)
    // never races this build; the root's packages (TypeScript, the library's dependencies) sit beside it.
    // (In a folder of its own: the scratch project must not find the root's packages above it.)
    const libCopy = join(work, 'pack/lib');
    cpSync(LIB, libCopy, { recursive: true, filter: (source) => !/[/\\](dist|node_modules)$|\.tgz$/.test(source) });
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'pack/node_modules'), 'dir');
    // `npm pack` builds the package first (its prepack script compiles to dist/).
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: libCopy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string }>;
    tarball = join(work, packed[0]!.filename);
    project = join(work, 'project');
    cpSync(FIXTURE, project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'scratch-team-project',
        private: true,
        dependencies: {
          '@webhook-tracing/sqs-otel': `file:${tarball}`,
          '@opentelemetry/api': '~1.9.0',
          '@aws-sdk/client-sqs': installedVersion('@aws-sdk/client-sqs'),
        },
        devDependencies: {
          '@opentelemetry/sdk-trace-base': installedVersion('@opentelemetry/sdk-trace-base'),
          '@opentelemetry/context-async-hooks': installedVersion('@opentelemetry/context-async-hooks'),
          '@opentelemetry/core': installedVersion('@opentelemetry/core'),
          '@types/node': installedVersion('@types/node'),
        },
      }),
    );
    // From the npm cache when it has them (the versions are the repository's own).
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs compiled JavaScript and declarations, not the TypeScript sources or tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/README.md');
    expect(listing.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    const installed = join(project, 'node_modules/@webhook-tracing/sqs-otel');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ sideEffects: false, types: './dist/index.d.ts', peerDependencies: { '@opentelemetry/api': '>=1.9.0 <1.10' } });
    // The peer is the project's own copy, not a second one inside the package.
    expect(existsSync(join(installed, 'node_modules/@opentelemetry/api'))).toBe(false);
  });

  it('type-checks a consumer and a producer of the project\'s own with tsc --strict against the installed types', () => {
    const result = tsc(['-p', join(project, 'tsconfig.json')]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The package's own declarations are valid under --strict too (the project skips lib checks for the AWS SDK's sake).
    const declarations = tsc(['--noEmit', '--strict', '--types', 'node', 'node_modules/@webhook-tracing/sqs-otel/dist/index.d.ts']);
    expect(declarations.stdout + declarations.stderr).toBe('');
  });

  it('bundled with esbuild, run on the emulator under the real SDK: each record\'s span on its own producer\'s trace, failures in batchItemFailures', async () => {
    for (const name of ['producer', 'consumer']) {
      await build({
        entryPoints: [join(project, 'src', `${name}.ts`)],
        absWorkingDir: project,
        outfile: join(project, 'out', `${name}.js`),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['@aws-sdk/*', '@smithy/*'],
        footer: { js: 'module.exports=Object.assign({},module.exports);' },
        logLevel: 'error',
      });
    }
    const endpoint = process.env.MOTO_ENDPOINT as string;
    const sqs = new SQSClient(awsClientConfig(endpoint, 'us-east-1'));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `lib-package-${Date.now().toString(36)}` }))).QueueUrl as string;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string;
    const awsEnv = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', NODE_NO_WARNINGS: '1' };

    const requests = ['o1', 'o2', 'o3', 'o4'].map((orderId) => ({ queueUrl, orderId, fail: orderId === 'o3' }));
    const produced = runHandler('producer', requests, awsEnv) as { result: Sent[]; spans: SpanOut[] };
    expect(new Set(produced.result.map((sent) => sent.traceId)).size).toBe(4);
    for (const sent of produced.result) expect(sent.written).toEqual(['traceparent']);

    const records: SQSRecord[] = [];
    while (records.length < requests.length) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }));
      for (const message of received.Messages ?? []) records.push(toLambdaRecord(message, queueArn));
    }
    // One batch, in an order unrelated to the producers'.
    const event: SQSEvent = { Records: [...records].reverse() };
    const consumed = runHandler('consumer', event, awsEnv) as { result: { batchItemFailures: Array<{ itemIdentifier: string }> }; spans: SpanOut[] };

    const failing = produced.result.find((sent) => sent.orderId === 'o3') as Sent;
    expect(consumed.result).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
    const invocation = consumed.spans.find((span) => span.name === 'invocation') as SpanOut;
    const recordSpans = consumed.spans.filter((span) => span.name === 'process-order');
    expect(recordSpans).toHaveLength(4);
    for (const sent of produced.result) {
      const span = recordSpans.find((candidate) => candidate.attributes['order.id'] === sent.orderId) as SpanOut;
      expect(span.traceId).toBe(sent.traceId); // its own producer's trace, not the invocation's
      expect(span.traceId).not.toBe(invocation.traceId);
      expect(span.links).toEqual([invocation.traceId]);
      expect(span.attributes['messaging.message.id']).toBe(sent.messageId);
      expect(span.attributes['order.upstream']).toBe('message_attributes');
      expect(span.status).toBe(sent.orderId === 'o3' ? 2 : 0); // SpanStatusCode.ERROR : UNSET
    }
  });
});
