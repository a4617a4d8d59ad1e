// The tracing library as a new team gets it, step by step from its README (functions/lib/README.md):
// `make lib` alone builds the tarball (a copy of the Makefile and functions/lib, nothing installed
// at the root); scratch projects install it by the README's own commands under npm's default
// layout, npm's linked layout and pnpm (strict: only what a project declares is importable);
// the current TypeScript type-checks the README's consumer and producer, verbatim, under
// nodenext (CommonJS and ES module) and bundler resolution; the README's build.mjs bundles them;
// and they run on the AWS emulator under the README's startTracing, with the behaviour the README
// states. The code blocks are read from the README, so it cannot drift from what is tested.
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClientConfig } from '../local-runtime/local-pipeline';
import { toLambdaRecord } from '../local-runtime/sqs-records';
import { ROOT } from './support/bundle';

jest.setTimeout(600_000);

const LIB = join(ROOT, 'functions/lib');
const README = readFileSync(join(LIB, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(join(LIB, 'package.json'), 'utf8')) as { version: string }).version;
const TARBALL = `webhook-tracing-sqs-otel-${VERSION}.tgz`;
const PNPM = 'npx --yes pnpm@10.34.8';

/** The code block that follows `<!-- name -->` in the README. */
function block(name: string): string {
  const match = new RegExp(`<!-- ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`the library README has no block <!-- ${name} -->`);
  return match[1] as string;
}
const commands = (name: string): string[] => block(name).split('\n').filter((line) => line.trim() !== '');

// npm settings for speed and quiet; the commands themselves stay as the README writes them.
const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

type Layout = 'npm' | 'npm-linked' | 'pnpm';

/** The README's install commands as each layout runs them: pnpm's own section, and its spelling of the rest. */
function installCommands(layout: Layout): string[] {
  const rest = [...commands('install: producer'), ...commands('install: local-sdk'), ...commands('install: bundling')];
  if (layout !== 'pnpm') return [...commands('install: tarball'), ...rest];
  return [...commands('install: pnpm'), ...rest.map((line) => line.replace(/^npm install /, 'pnpm add '))].map((line) => line.replace(/^pnpm /, `${PNPM} `));
}

interface SpanOut {
  name: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  events: string[];
}

// Plays the ADOT layer's part: registers the SDK with the README's startTracing (an in-memory
// exporter instead of the console), then runs the bundles the README's build.mjs wrote, inside a
// span per request (producer) or per invocation (consumer).
const HARNESS = `
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { startTracing } from './src/tracing';

const exporter = new InMemorySpanExporter();
startTracing(exporter);
const tracer = trace.getTracer('harness');

async function main(): Promise<void> {
  const [kind, inputFile, outputFile] = process.argv.slice(2) as [string, string, string];
  const input = JSON.parse(readFileSync(inputFile, 'utf8'));
  let result: unknown;
  if (kind === 'producer') {
    const { sendOrder } = require('./dist/producer.js');
    const sent = [];
    for (const order of input.orders) {
      sent.push(await tracer.startActiveSpan('request ' + order.id, { root: true }, async (span) => {
        try {
          return { orderId: order.id, messageId: await sendOrder(input.queueUrl, order), traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
        } finally {
          span.end();
        }
      }));
    }
    result = sent;
  } else {
    const bundle = require('./dist/consumer.js');
    const descriptor = Object.getOwnPropertyDescriptor(bundle, 'handler');
    result = await tracer.startActiveSpan('invocation', { root: true }, async (span) => {
      try {
        return { response: await bundle.handler(input), invocation: span.spanContext(), writable: descriptor?.writable, configurable: descriptor?.configurable };
      } finally {
        span.end();
      }
    });
  }
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    scope: s.instrumentationScope.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    status: s.status.code,
    attributes: s.attributes,
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    events: s.events.map((e) => e.name),
  }));
  writeFileSync(outputFile, JSON.stringify({ result, spans }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

// Fails to compile when a type the package exports came out as \`any\` (an unresolved import in its
// declarations is silent under skipLibCheck).
const TYPE_CHECKS = `
import type { SQSEvent } from 'aws-lambda';
import { processSqsBatch, type RecordScope } from '@webhook-tracing/sqs-otel';
type IsAny<T> = 0 extends 1 & T ? true : false;
export const eventIsTyped: IsAny<Parameters<typeof processSqsBatch>[0]> = false;
export const spanIsTyped: IsAny<RecordScope['span']> = false;
export const eventIsLambdas: Parameters<typeof processSqsBatch>[0] extends SQSEvent ? true : false = true;
`;

const TSCONFIGS: Record<string, { compilerOptions: Record<string, unknown>; include: string[] }> = {
  // A CommonJS project (no "type" in package.json): `import` compiles to require, the package's CommonJS types.
  'nodenext-cjs': { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, include: ['src/*.ts', 'types-check.ts'] },
  // An ES module file under nodenext: the package's ES module types.
  'nodenext-esm': { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, include: ['types-check.mts'] },
  bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, include: ['src/*.ts', 'types-check.ts'] },
};

describe('the tracing library, installed and used as its README says', () => {
  let work: string;
  let tarball: string;
  let sqs: SQSClient;
  let awsEnv: Record<string, string>;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'lib-package-'));
    // `make lib` with nothing but the Makefile and the library's folder: no root install to lean on.
    const repo = join(work, 'repo');
    mkdirSync(join(repo, 'functions'), { recursive: true });
    copyFileSync(join(ROOT, 'Makefile'), join(repo, 'Makefile'));
    cpSync(LIB, join(repo, 'functions/lib'), { recursive: true, filter: (source) => !/[/\\](dist|node_modules)$|\.tgz$/.test(source) });
    execFileSync('make', ['--no-print-directory', 'lib'], { cwd: repo, stdio: 'pipe', env: { ...process.env, ...NPM_ENV } });
    tarball = join(repo, 'functions/lib', TARBALL);
    const endpoint = process.env.MOTO_ENDPOINT as string;
    sqs = new SQSClient(awsClientConfig(endpoint, 'us-east-1'));
    awsEnv = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', NODE_NO_WARNINGS: '1' };
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('make lib builds the tarball the README installs, in the library folder alone: ES modules, CommonJS, types, no sources', () => {
    expect(existsSync(join(work, 'repo/functions/lib/node_modules'))).toBe(true);
    expect(existsSync(join(work, 'repo/node_modules'))).toBe(false);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const format of ['esm', 'cjs']) {
      for (const file of ['index.js', 'index.d.ts', 'record-runner.js', 'package.json']) expect(listing).toContain(`package/dist/${format}/${file}`);
    }
    expect(listing.filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
    // The pipeline's own message contract is not part of the package.
    expect(listing.filter((path) => path.includes('webhook-message'))).toEqual([]);
    expect(commands('install: tarball')[0]).toBe(`npm install ./${TARBALL} @opentelemetry/api@~1.9.0`);
    expect(commands('install: pnpm')[0]).toBe(`pnpm add ./${TARBALL} @opentelemetry/api@~1.9.0`);
  });

  it('installs from the release URL the README gives (the tag the release workflow reacts to, the packed file name)', async () => {
    const [command] = commands('install: release');
    const url = /https:\/\/github\.com\/(\S+)/.exec(command as string)?.[0] as string;
    expect(url).toBe(`https://github.com/<org>/traced-webhook-pipeline/releases/download/sqs-otel-v${VERSION}/${TARBALL}`);
    const workflow = readFileSync(join(ROOT, '.github/workflows/release-lib.yml'), 'utf8');
    expect(workflow).toMatch(/tags:\s*\n\s*- 'sqs-otel-v\*'/);
    // A stand-in for GitHub's release download, serving the packed tarball at the same path.
    const served = readFileSync(tarball);
    const path = new URL(url.replace('<org>', 'org')).pathname;
    const server: Server = createServer((request, response) => {
      if (request.url !== path) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
      const project = join(work, 'from-release');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'from-release', private: true }));
      // execSync blocks this process: the server must answer from another one, so run npm asynchronously.
      const run = (line: string) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('bash', ['-c', line], { cwd: project, env: { ...process.env, ...NPM_ENV }, stdio: 'pipe' });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${line}\n${stderr}`))));
        });
      await run((command as string).replace(url, local));
      const installed = JSON.parse(readFileSync(join(project, 'node_modules/@webhook-tracing/sqs-otel/package.json'), 'utf8'));
      expect(installed.version).toBe(VERSION);
      const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
      expect(lock.packages['node_modules/@webhook-tracing/sqs-otel'].resolved).toBe(local);
    } finally {
      server.close();
    }
  });

  describe.each<Layout>(['npm', 'npm-linked', 'pnpm'])('a scratch project on the %s layout', (layout) => {
    let project: string;
    const exec = (line: string, env: Record<string, string> = {}) =>
      execSync(line, { cwd: project, shell: '/bin/bash', stdio: 'pipe', encoding: 'utf8', env: { ...process.env, ...NPM_ENV, ...(layout === 'npm-linked' ? { npm_config_install_strategy: 'linked' } : {}), ...env } });
    const tsc = (config: string) => spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', join(project, `tsconfig.${config}.json`)], { cwd: project, encoding: 'utf8' });

    beforeAll(() => {
      project = join(work, layout);
      mkdirSync(join(project, 'src'), { recursive: true });
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `scratch-${layout}`, private: true }));
      copyFileSync(tarball, join(project, TARBALL));
      for (const line of installCommands(layout)) exec(line);
      for (const file of ['src/consumer.ts', 'src/producer.ts', 'src/tracing.ts', 'build.mjs']) writeFileSync(join(project, file), block(`file: ${file}`));
    });

    it('has what the README installed, and nothing it did not declare where the layout is strict', () => {
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules/@webhook-tracing/sqs-otel/package.json'), 'utf8'));
      expect(manifest).toMatchObject({ version: VERSION, peerDependencies: { '@opentelemetry/api': '>=1.9.0 <1.10' }, dependencies: { '@types/aws-lambda': expect.any(String) } });
      const api = JSON.parse(readFileSync(join(project, 'node_modules/@opentelemetry/api/package.json'), 'utf8'));
      expect(api.version).toMatch(/^1\.9\./);
      // Strict: the package's own dependencies are not importable from the project.
      expect(existsSync(join(project, 'node_modules/@opentelemetry/semantic-conventions'))).toBe(layout === 'npm');
    });

    it.each(Object.keys(TSCONFIGS))('type-checks the README\'s consumer and producer with the current TypeScript (%s)', (config) => {
      writeFileSync(join(project, 'types-check.ts'), TYPE_CHECKS);
      writeFileSync(join(project, 'types-check.mts'), TYPE_CHECKS);
      const { compilerOptions, include } = TSCONFIGS[config]!;
      const tsconfig = { compilerOptions: { target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: true, ...compilerOptions }, include };
      writeFileSync(join(project, `tsconfig.${config}.json`), JSON.stringify(tsconfig));
      const result = tsc(config);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
      const typescript = JSON.parse(readFileSync(join(project, 'node_modules/typescript/package.json'), 'utf8')) as { version: string };
      expect(Number(typescript.version.split('.')[0])).toBeGreaterThanOrEqual(7);
    });

    it('its declarations compile on their own under --strict, both formats (no skipLibCheck)', () => {
      const installed = join(project, 'node_modules/@webhook-tracing/sqs-otel/dist');
      for (const [format, module] of [['cjs', 'nodenext'], ['esm', 'nodenext']]) {
        const result = spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', module as string, '--types', 'node', join(installed, format as string, 'index.d.ts')], { cwd: project, encoding: 'utf8' });
        expect(result.stdout + result.stderr).toBe('');
      }
    });

    it('bundles with the README\'s build.mjs: the ES module build, the AWS SDK external, a handler the layer can replace', async () => {
      exec('node build.mjs');
      const consumer = readFileSync(join(project, 'dist/consumer.js'), 'utf8');
      const producer = readFileSync(join(project, 'dist/producer.js'), 'utf8');
      expect(consumer).toContain('node_modules/@webhook-tracing/sqs-otel/dist/esm/record-runner.js');
      expect(consumer).not.toContain('/dist/cjs/');
      expect(producer).toContain('require("@aws-sdk/client-sqs")');
      expect(producer).not.toMatch(/node_modules\/@(aws-sdk|smithy)\//);
      // A program that imports only the getter gets neither the runner nor the logger nor the
      // start-up check. (The modules that import the CommonJS-only OpenTelemetry propagators,
      // extract and inject, keep their import: esbuild keeps a require of a CommonJS module.)
      writeFileSync(join(project, 'only-getter.ts'), "import { sqsAttributesGetter } from '@webhook-tracing/sqs-otel';\nexport const getter = sqsAttributesGetter;\n");
      const shaken = await build({ entryPoints: [join(project, 'only-getter.ts')], absWorkingDir: project, bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'error' });
      const [output] = Object.values(shaken.metafile.outputs);
      const kept = Object.entries(output!.inputs).filter(([input, { bytesInOutput }]) => input.includes('sqs-otel') && bytesInOutput > 0);
      expect(kept.map(([input]) => input.replace(/^.*\/dist\//, '')).sort()).toEqual(['esm/extract.js', 'esm/inject.js', 'esm/sqs-carrier.js']);
      const carrier = kept.find(([input]) => input.endsWith('sqs-carrier.js'))![1].bytesInOutput;
      for (const [input, { bytesInOutput }] of kept) if (!input.endsWith('sqs-carrier.js')) expect(bytesInOutput).toBeLessThan(carrier / 4);
    });

    it('runs on the emulator under the README\'s startTracing with the behaviour the README states', async () => {
      writeFileSync(join(project, 'harness.ts'), HARNESS);
      await build({ entryPoints: [join(project, 'harness.ts')], absWorkingDir: project, outfile: join(project, 'harness.js'), bundle: true, platform: 'node', format: 'cjs', packages: 'external', external: ['./dist/*'], logLevel: 'error' });
      const queueName = `lib-package-${layout}-${Date.now().toString(36)}`;
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl as string;
      const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string;
      const run = (kind: string, input: unknown) => {
        writeFileSync(join(project, `${kind}-in.json`), JSON.stringify(input));
        const result = spawnSync(process.execPath, ['harness.js', kind, `${kind}-in.json`, `${kind}-out.json`], { cwd: project, encoding: 'utf8', env: { ...process.env, ...awsEnv } });
        if (result.status !== 0) throw new Error(`harness ${kind} failed:\n${result.stderr}`);
        const lines = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
        return { ...(JSON.parse(readFileSync(join(project, `${kind}-out.json`), 'utf8')) as { result: unknown; spans: SpanOut[] }), lines };
      };

      const orders = [{ id: 'o1', amount: 5 }, { id: 'o2', amount: 7 }, { id: 'o3', amount: 0 }, { id: 'o4', amount: 9 }];
      const produced = run('producer', { queueUrl, orders }).result as Array<{ orderId: string; messageId: string; traceId: string; spanId: string }>;
      expect(new Set(produced.map((sent) => sent.traceId)).size).toBe(orders.length);
      // Two more, sent by producers that are not built on the library: none, and an unsampled traceparent.
      const UNSAMPLED_TRACE = '5759e988bd862e3fe1be46a994272793';
      const plain = (await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ id: 'o5', amount: 1 }) }))).MessageId as string;
      const unsampled = (
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ id: 'o6', amount: 1 }), MessageAttributes: { traceparent: { DataType: 'String', StringValue: `00-${UNSAMPLED_TRACE}-53995c3f42cd8ad8-00` } } }))
      ).MessageId as string;

      const records: SQSRecord[] = [];
      while (records.length < orders.length + 2) {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }));
        for (const message of received.Messages ?? []) records.push(toLambdaRecord(message, queueArn));
      }
      const event: SQSEvent = { Records: [...records].reverse() };
      const consumed = run('consumer', event);
      const result = consumed.result as { response: unknown; invocation: { traceId: string; spanId: string }; writable: boolean; configurable: boolean };
      const failing = produced.find((sent) => sent.orderId === 'o3')!;
      expect(result.response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
      expect([result.writable, result.configurable]).toEqual([true, true]);

      const recordSpans = consumed.spans.filter((span) => span.scope === '@webhook-tracing/sqs-otel');
      expect(new Set(recordSpans.map((span) => span.name))).toEqual(new Set([`process ${queueName}`]));
      const spanFor = (messageId: string) => recordSpans.find((span) => span.attributes['messaging.message.id'] === messageId);
      // A valid upstream: a child of the producer's span, linked to the invocation.
      for (const sent of produced) {
        const span = spanFor(sent.messageId)!;
        expect([span.traceId, span.parentSpanId]).toEqual([sent.traceId, sent.spanId]);
        expect(span.links).toEqual([{ traceId: result.invocation.traceId, spanId: result.invocation.spanId }]);
        expect(span.attributes).toMatchObject({ 'order.id': sent.orderId, 'trace.has_upstream_context': true });
        expect(span.status).toBe(sent.orderId === 'o3' ? 2 : 0);
        expect(span.events).toEqual(sent.orderId === 'o3' ? ['exception'] : []);
      }
      // No upstream: a child of the invocation, flagged.
      expect(spanFor(plain)).toMatchObject({ traceId: result.invocation.traceId, parentSpanId: result.invocation.spanId, links: [], attributes: { 'trace.has_upstream_context': false } });
      // Unsampled upstream: honoured, so not recorded; the work ran on the producer's trace.
      expect(spanFor(unsampled)).toBeUndefined();
      const received = (orderId: string) => consumed.lines.find((line) => line.message === 'order received' && line.orderId === orderId);
      expect(received('o6')).toMatchObject({ traceId: UNSAMPLED_TRACE, upstream: 'message_attributes' });
      expect(received('o1')).toMatchObject({ traceId: produced[0]!.traceId });
      // The failure, logged once by the runner with the record's trace.
      expect(consumed.lines.filter((line) => line.level === 'ERROR')).toEqual([
        expect.objectContaining({ message: 'record failed; it will be retried', messageId: failing.messageId, traceId: failing.traceId, error: { name: 'Error', message: 'order o3 has no amount' } }),
      ]);
    });
  });
});
