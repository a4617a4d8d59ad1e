#!/usr/bin/env node
// `make bench`: what the functions cost, side by side with the AWS Lambda Powertools BASELINE
// consumer (bench/baseline/), in the same run on the same machine.
//
//   node bench/run.mjs [--json] [--quick] [--only=<measurement,...>]
//
// --json   print one JSON document on stdout instead of the tables (progress goes to stderr)
// --only   e.g. --only=batchLatency,throttling,memory,tracingCost: those measurements alone
// --quick  a smoke run: every measurement, a few iterations each (about 30 s); the figures
//          are not stable, only their presence is.
//
// Steps: install the baseline's dependencies (npm ci --prefix bench) when missing; build ours
// with scripts/build.mjs; bundle the baseline and the benchmark harness with the same esbuild
// settings (bundleOptions, imported from scripts/build.mjs); then measure:
//   1. zip sizes   2. cold init   3. consumer throughput   4. tracing overhead
//   5. batch latency at 20 ms per DynamoDB call   6. producer handler time
//   6b. producer time per sender's scheme with a 100 KiB body, p50 and p99 (producerSchemes)
//   7. cold start under the ADOT layer's real code (no layer, full SDK, fast start), ours and the
//      baseline   8. per-record tracing cost under the layer (its own processor and exporter)
//   9. throttling (a share of DynamoDB calls throttled)   10. peak memory for 10,000 records
//   11. per-record tracing cost of our own work, with a CPU profile of where it goes
// Measurements 3, 5, 6, 6b and 9-11 talk to a FAKE in-process AWS endpoint (bench/lib/fake-aws-worker.cjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { createWriteStream } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, summarize } from './lib/stats.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const OUT = join(BENCH, '.out');
const argv = new Set(process.argv.slice(2));
const MEASUREMENTS = ['zipSize', 'coldInit', 'consumerThroughput', 'batchLatency', 'producer', 'producerSchemes', 'layer', 'throttling', 'memory', 'tracingCost'];
// --only=<names>: run only those measurements (tracingOverhead comes with consumerThroughput).
const onlyArg = [...argv].find((arg) => arg.startsWith('--only='));
const ONLY = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;
for (const name of ONLY ?? []) if (!MEASUREMENTS.includes(name)) usage(`unknown measurement ${name}; one of ${MEASUREMENTS.join(', ')}`);
const wanted = (name) => !ONLY || ONLY.has(name);
for (const arg of argv) if (!['--json', '--quick'].includes(arg) && arg !== onlyArg) usage(`unknown argument ${arg}`);
const JSON_OUTPUT = argv.has('--json');
const QUICK = argv.has('--quick');
const DELAY_MS = 20;

function usage(message) {
  process.stderr.write(`${message}\nusage: node bench/run.mjs [--json] [--quick] [--only=<measurement,...>]\n`);
  process.exit(2);
}

const progress = (message) => process.stderr.write(`bench: ${message}\n`);

/** Measurements 9-11 (issue 12: batch scale and per-record tracing cost). */
const BATCH_SCALE_PLAN = {
  quick: {
    throttle: { batchSize: 50, share: 0.2, iterations: 1, warmupMs: 200, variants: ['ours-traced'] },
    memory: { records: 1000, padBytes: 1024, variants: ['ours-traced'] },
    tracingCost: { rounds: 1, warmupMs: 300, sampleMs: 100, samples: 2, profileMs: 300 },
  },
  full: {
    throttle: { batchSize: 1000, share: 0.2, iterations: 3, warmupMs: 2000, variants: ['ours-traced', 'baseline'] },
    memory: { records: 10_000, padBytes: 1024, variants: ['ours-traced', 'baseline'] },
    tracingCost: { rounds: 3, warmupMs: 3000, sampleMs: 400, samples: 5, profileMs: 3000 },
  },
};

/** How much each measurement runs. The full run takes 3-5 minutes on 2 cores; --quick about 20 s. */
const PLAN = QUICK
  ? {
      coldInitRuns: 3,
      throughput: { rounds: 1, warmupMs: 300, sampleMs: 100, samples: 2 },
      latency: { warmupMs: 300, iterations: { 10: 2, 100: 1, default: 1 } },
      producer: { warmupMs: 200, sampleMs: 50, samples: 2 },
      producerSchemes: { bytes: 100 * 1024, warmup: 5, requests: 20 },
      layer: { coldStartRuns: 1, rounds: 1, warmupMs: 300, sampleMs: 100, samples: 1 },
      ...BATCH_SCALE_PLAN.quick,
    }
  : {
      coldInitRuns: 30,
      throughput: { rounds: 3, warmupMs: 3000, sampleMs: 400, samples: 5 },
      latency: { warmupMs: 3000, iterations: { 10: 21, 100: 9, 1000: 5, default: 9 } },
      producer: { warmupMs: 3000, sampleMs: 300, samples: 12 },
      producerSchemes: { bytes: 100 * 1024, warmup: 50, requests: 500 },
      layer: { coldStartRuns: 15, rounds: 3, warmupMs: 3000, sampleMs: 400, samples: 4 },
      ...BATCH_SCALE_PLAN.full,
    };

// ---- child processes: every one is tracked and ended if we are interrupted ---------------------
const children = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Runs a command, its output to our stderr (stdout is kept for the result). */
function runVisible(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2], ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

/** Runs node with `args`; resolves with its stdout. Fails on a non-zero exit or after `timeoutMs`. */
function runNode(args, { cwd = ROOT, env = process.env, timeoutMs = 180_000, node = process.execPath } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`node ${args[0]} exited ${code ?? signal}:\n${stderr.trim()}`));
    });
  });
}

// ---- setup ---------------------------------------------------------------------------------------
function ensureInstalled() {
  if (!existsSync(join(ROOT, 'node_modules', 'esbuild')) || !existsSync(join(ROOT, 'node_modules', 'yazl'))) {
    throw new Error('the root dependencies are not installed: run `make install` (npm ci) first');
  }
  const marker = join(BENCH, 'node_modules', '.package-lock.json');
  const lock = join(BENCH, 'package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    progress('installing the baseline dependencies: npm ci --prefix bench');
    runVisible('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund']);
  }
}

/** Same zip settings as scripts/build.mjs: one index.js, fixed DOS timestamp, mode 0644, deflated. */
async function zipDeterministic(yazl, content, target) {
  const zip = new yazl.ZipFile();
  zip.addBuffer(content, 'index.js', { mtime: new Date(2000, 0, 1, 0, 0, 0), mode: 0o100644, forceDosTimestamp: true, compress: true });
  zip.end();
  await new Promise((resolvePromise, reject) => {
    zip.outputStream.pipe(createWriteStream(target)).on('close', resolvePromise).on('error', reject);
  });
}

async function buildAll() {
  progress('building ours: node scripts/build.mjs');
  runVisible(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  const { build } = await import('esbuild');
  const { default: yazl } = await import('yazl');
  const { bundleOptions } = await import('../scripts/build.mjs');
  await mkdir(join(OUT, 'baseline'), { recursive: true });

  progress('building the BASELINE (Powertools) consumer with the same esbuild settings');
  const baseline = await build({ ...bundleOptions, entryPoints: [join(BENCH, 'baseline', 'index.mjs')], outfile: join(OUT, 'baseline', 'index.js'), write: false, metafile: true });
  const code = Buffer.from(baseline.outputFiles[0].contents);
  await writeFile(join(OUT, 'baseline', 'index.js'), code);
  await writeFile(join(OUT, 'baseline', 'meta.json'), JSON.stringify(baseline.metafile));
  await zipDeterministic(yazl, code, join(OUT, 'baseline.zip'));

  // The harness holds ours (from functions/, as the bundles are) and the baseline, compiled the same way.
  await build({ ...bundleOptions, external: [...bundleOptions.external, 'stripe'], entryPoints: [join(BENCH, 'harness', 'main.mjs')], outfile: join(OUT, 'harness.cjs') });
  // The same harness unminified, for the CPU profile of measurement 9 (names and module comments kept).
  await build({ ...bundleOptions, minify: false, external: [...bundleOptions.external, 'stripe'], entryPoints: [join(BENCH, 'harness', 'main.mjs')], outfile: join(OUT, 'harness-plain.cjs') });
}

const BUNDLES = {
  producer: { zip: join(ROOT, 'dist', 'producer.zip'), side: 'ours' },
  consumer: { zip: join(ROOT, 'dist', 'consumer.zip'), side: 'ours' },
  'baseline consumer': { zip: join(OUT, 'baseline.zip'), side: 'baseline' },
};

// ---- 1. zip sizes --------------------------------------------------------------------------------
function zipSizes() {
  const size = (name) => statSync(BUNDLES[name].zip).size;
  // For the record: the minified index.js inside each zip, before compression.
  const code = (name) => statSync(name === 'baseline consumer' ? join(OUT, 'baseline', 'index.js') : join(ROOT, 'dist', name, 'index.js')).size;
  const baseline = size('baseline consumer');
  return {
    title: 'Zip size (information: no target)',
    unit: 'bytes',
    better: 'lower',
    rows: ['producer', 'consumer'].map((name) => ({
      name: `${name}.zip`,
      ours: size(name),
      baseline,
      ratio: size(name) / baseline,
      uncompressed: { ours: code(name), baseline: code('baseline consumer'), ratio: code(name) / code('baseline consumer') },
    })),
  };
}

// ---- 2. cold init --------------------------------------------------------------------------------
async function unzipTo(zipPath, dir) {
  const { default: yauzl } = await import('yauzl');
  await mkdir(dir, { recursive: true });
  const zip = await new Promise((res, rej) => yauzl.open(zipPath, { lazyEntries: false }, (err, z) => (err ? rej(err) : res(z))));
  await new Promise((res, rej) => {
    const pending = [];
    zip.on('entry', (entry) => {
      pending.push(
        new Promise((done, fail) =>
          zip.openReadStream(entry, (err, stream) => {
            if (err) return fail(err);
            stream.pipe(createWriteStream(join(dir, entry.fileName))).on('close', done).on('error', fail);
          }),
        ),
      );
    });
    zip.on('end', () => Promise.all(pending).then(res, rej));
    zip.on('error', rej);
  });
}

// Loads ./index.js from the unpacked zip in a fresh node, as Lambda's init does; prints the ms the
// require took. With preloaded modules listed, those are required first (outside the timing).
const COLD_INIT_SCRIPT = `
const preload = JSON.parse(process.argv[1]);
for (const name of preload) require(name);
const started = process.hrtime.bigint();
const m = require(require('path').join(process.cwd(), 'index.js'));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (typeof m.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms }));
`;

async function coldInit() {
  const base = await mkdtemp(join(tmpdir(), 'bench-cold-init-'));
  try {
    const tasks = {};
    for (const [name, bundle] of Object.entries(BUNDLES)) {
      const dir = join(base, name.replace(/\s+/g, '-'));
      await unzipTo(bundle.zip, dir);
      const code = await readFile(join(dir, 'index.js'), 'utf8');
      // The SDK modules the bundle requires from outside itself (the Lambda runtime provides them).
      const externals = [...new Set([...code.matchAll(/require\("((?:@aws-sdk|@smithy)\/[^"]+)"\)/g)].map((match) => match[1]))];
      tasks[name] = { dir, externals };
    }
    const env = {
      PATH: process.env.PATH ?? '',
      // As Lambda provides the SDK: outside the bundle, on the module path. The same path for all three.
      NODE_PATH: [join(BENCH, 'node_modules'), join(ROOT, 'node_modules')].join(':'),
      NODE_NO_WARNINGS: '1',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      TABLE_NAME: 'webhook-events',
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhooks',
      WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook',
    };
    const once = async (name, preload) => JSON.parse(await runNode(['-e', COLD_INIT_SCRIPT, JSON.stringify(preload)], { cwd: tasks[name].dir, env, timeoutMs: 30_000 })).ms;
    const kinds = { full: () => [], own: (name) => tasks[name].externals };
    const samples = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, Object.fromEntries(Object.keys(BUNDLES).map((name) => [name, []]))]));
    // One discarded run each (file cache), then the bundles take turns run by run.
    for (const name of Object.keys(BUNDLES)) for (const [, preload] of Object.entries(kinds)) await once(name, preload(name));
    for (let run = 0; run < PLAN.coldInitRuns; run++) {
      for (const name of Object.keys(BUNDLES)) for (const [kind, preload] of Object.entries(kinds)) samples[kind][name].push(await once(name, preload(name)));
    }
    const rowsFor = (kind) => {
      const baseline = summarize(samples[kind]['baseline consumer']);
      return ['producer', 'consumer'].map((name) => {
        const ours = summarize(samples[kind][name]);
        return { name: `${name} (${kind === 'full' ? 'module load, AWS SDK included' : 'own code only, AWS SDK preloaded'})`, kind, bundle: name, ours, baseline, ratio: ours.median / baseline.median };
      });
    };
    return { title: 'Cold init', unit: 'ms', better: 'lower', runs: PLAN.coldInitRuns, rows: [...rowsFor('full'), ...rowsFor('own')] };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

// ---- harness runs (3-6) --------------------------------------------------------------------------
const HARNESS_ENV = { ...process.env, NODE_NO_WARNINGS: '1', AWS_LAMBDA_FUNCTION_NAME: 'bench-consumer', AWS_REGION: 'us-east-1' };
delete HARNESS_ENV.AWS_LAMBDA_EXEC_WRAPPER;
delete HARNESS_ENV.OTEL_STRICT;
delete HARNESS_ENV.AWS_ENDPOINT_URL;
delete HARNESS_ENV.AWS_ENDPOINT_URL_DYNAMODB;
delete HARNESS_ENV.AWS_ENDPOINT_URL_SQS;

async function harness(task, { nodeArgs = [], bundle = 'harness.cjs', cwd = ROOT } = {}) {
  // Batches of 1,000 and 10,000 at 20 ms per call take minutes on a busy 2-core machine.
  const stdout = await runNode([...nodeArgs, join(OUT, bundle), JSON.stringify(task)], { env: HARNESS_ENV, cwd, timeoutMs: 900_000 });
  return JSON.parse(stdout.trim().split('\n').pop()).result;
}

const BATCH_SIZES = [1, 10, 100];
const VARIANTS = ['ours-traced', 'ours-context-only', 'ours-untraced', 'baseline'];

async function consumerThroughput() {
  const pooled = Object.fromEntries(VARIANTS.map((variant) => [variant, Object.fromEntries(BATCH_SIZES.map((size) => [size, []]))]));
  const calls = {};
  // Variants take turns, process by process, so a slow spell of the machine is shared.
  for (let round = 0; round < PLAN.throughput.rounds; round++) {
    for (const variant of VARIANTS) {
      progress(`throughput: ${variant}, round ${round + 1}/${PLAN.throughput.rounds}`);
      const result = await harness({ mode: 'throughput', variant, batchSizes: BATCH_SIZES, ...PLAN.throughput });
      for (const size of BATCH_SIZES) pooled[variant][size].push(...result.bySize[size].samples);
      calls[variant] = result.dynamodbCallsPerRecord;
    }
  }
  const stats = (variant, size) => summarize(pooled[variant][size]);
  const throughput = {
    title: 'Consumer throughput (FAKE in-process DynamoDB endpoint answering at once)',
    unit: 'records/s',
    better: 'higher',
    dynamodbCallsPerRecord: { ours: calls['ours-traced'], baseline: calls.baseline },
    rows: BATCH_SIZES.map((size) => {
      const ours = stats('ours-traced', size);
      const baseline = stats('baseline', size);
      return { name: `batch of ${size}`, batchSize: size, ours, baseline, ratio: ours.median / baseline.median };
    }),
  };
  const overhead = {
    title: 'Tracing overhead (ours, OTel SDK recording vs no SDK registered; FAKE endpoint)',
    unit: 'records/s',
    better: 'lower overhead',
    rows: BATCH_SIZES.map((size) => {
      const traced = stats('ours-traced', size);
      const untraced = stats('ours-untraced', size);
      // Diagnostic: where the overhead comes from (context propagation vs recording spans).
      const contextOnly = stats('ours-context-only', size);
      return {
        name: `batch of ${size}`,
        batchSize: size,
        traced,
        untraced,
        contextOnly,
        ratio: traced.median / untraced.median,
        overheadPercent: (1 - traced.median / untraced.median) * 100,
        // The same difference as CPU time added to each record.
        addedMicrosPerRecord: 1e6 / traced.median - 1e6 / untraced.median,
        contextOnlyOverheadPercent: (1 - contextOnly.median / untraced.median) * 100,
      };
    }),
  };
  return { throughput, overhead };
}

async function batchLatency() {
  const sizes = [10, 100, 1000];
  const results = {};
  for (const variant of ['ours-traced', 'baseline']) {
    progress(`batch latency at ${DELAY_MS} ms per DynamoDB call: ${variant}`);
    results[variant] = await harness({ mode: 'latency', variant, batchSizes: sizes, delayMs: DELAY_MS, ...PLAN.latency });
  }
  const roundTrips = (ms) => ms.map((value) => value / DELAY_MS);
  return {
    title: `Batch latency, every DynamoDB call takes ${DELAY_MS} ms (FAKE in-process endpoint)`,
    unit: `round trips of ${DELAY_MS} ms (batch wall time / ${DELAY_MS} ms)`,
    better: 'lower',
    singleCallMs: { ours: summarize(results['ours-traced'].singleCallMs), baseline: summarize(results.baseline.singleCallMs) },
    rows: sizes.map((size) => {
      const ours = results['ours-traced'].bySize[size];
      const baseline = results.baseline.bySize[size];
      const oursRt = summarize(roundTrips(ours.samples));
      const baselineRt = summarize(roundTrips(baseline.samples));
      return {
        name: `batch of ${size}`,
        batchSize: size,
        ours: oursRt,
        baseline: baselineRt,
        ratio: oursRt.median / baselineRt.median,
        oursMs: summarize(ours.samples),
        baselineMs: summarize(baseline.samples),
        dynamodbCallsPerRecord: { ours: ours.dynamodbCallsPerRecord, baseline: baseline.dynamodbCallsPerRecord },
        maxCallsInFlight: { ours: ours.maxInFlight, baseline: baseline.maxInFlight },
      };
    }),
  };
}

async function producerTime() {
  progress('producer handler time');
  const sizes = [1024, 100 * 1024];
  const result = await harness({ mode: 'producer', sizes, ...PLAN.producer });
  return {
    title: 'Producer handler time (verify, parse, inject, send; OTel SDK recording; FAKE in-process SQS endpoint)',
    unit: 'ms per request',
    better: 'lower',
    rows: sizes.map((bytes) => ({ name: `${bytes / 1024} KiB signed payload`, payloadBytes: bytes, ours: summarize(result.bySize[bytes].samples) })),
  };
}

/** What each sender allows for an answer before it counts the delivery failed (README, Webhook senders); not asserted. */
const SENDER_DEADLINES_MS = { slack: 3000, shopify: 5000, github: 10_000 };

async function producerSchemes() {
  progress('producer time per scheme (100 KiB)');
  const plan = PLAN.producerSchemes;
  const result = await harness({ mode: 'producer-schemes', ...plan });
  return {
    title: `Producer time per sender's scheme, ${plan.bytes / 1024} KiB signed body (verify, identity, inject, send; OTel SDK recording; FAKE in-process SQS; each request timed alone)`,
    unit: 'ms per request',
    better: 'lower',
    rows: Object.entries(result.byScheme).map(([scheme, samples]) => ({
      name: scheme,
      payloadBytes: plan.bytes,
      ours: summarize(samples),
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      requests: samples.length,
      deadlineMs: SENDER_DEADLINES_MS[scheme] ?? null,
    })),
  };
}

// ---- 7-8. under the ADOT layer's real code -------------------------------------------------------
// The functions run on Node 22 (Lambda's nodejs22.x) with the environment the module deploys and
// what the layer's /opt/otel-instrument makes of it (local-runtime/adot-layer.ts, built into
// dist/local-runtime by scripts/build.mjs --local-runtime): the `--require` of the real distro's
// register (full SDK) or of its lite mode (OTEL_AWS_LAMBDA_FAST_START=true). Spans go to
// AWS_XRAY_DAEMON_ADDRESS, a UDP sink here that only counts them.
const LAYER_MODES = [
  { name: 'no layer', fastStart: undefined },
  { name: 'layer, full SDK', fastStart: 'false' },
  { name: 'layer, fast start (lite)', fastStart: 'true' },
];
/** What the module deploys on each function (modules/traced-function) to enable the layer. */
const MODULE_OTEL_ENV = { AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', OTEL_PROPAGATORS: 'xray', OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'true', OTEL_METRICS_EXPORTER: 'none' };

async function udpSink() {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  const received = { datagrams: 0, bytes: 0 };
  socket.on('message', (datagram) => {
    received.datagrams += 1;
    received.bytes += datagram.length;
  });
  await new Promise((done) => socket.bind(0, '127.0.0.1', done));
  return { address: `127.0.0.1:${socket.address().port}`, received, close: () => new Promise((done) => socket.close(done)) };
}

async function layerSetup() {
  progress('building the local runtime (layer wrappers): node scripts/build.mjs --local-runtime');
  runVisible(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--local-runtime'], { cwd: ROOT });
  const requireCjs = createRequire(import.meta.url);
  const { otelInstrumentEnvironment, installedDistroVersion } = requireCjs(join(ROOT, 'dist/local-runtime/adot-layer.js'));
  const { lambdaNodeBinary } = requireCjs(join(ROOT, 'dist/local-runtime/lambda-node.js'));
  const node = lambdaNodeBinary('nodejs22.x', ROOT);
  const wrappers = { full: join(ROOT, 'dist/local-runtime/layer-wrapper.js'), lite: join(ROOT, 'dist/local-runtime/layer-lite-wrapper.js') };
  const sink = await udpSink();
  const base = await mkdtemp(join(tmpdir(), 'bench-layer-'));
  const tasks = {};
  for (const name of ['consumer', 'baseline consumer']) {
    tasks[name] = join(base, name.replace(/\s+/g, '-'));
    await unzipTo(BUNDLES[name].zip, tasks[name]);
  }
  /** Lambda's own variables, the function's, then the layer's script when the mode has the layer. */
  const envFor = (name, mode) => {
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_PATH: [join(BENCH, 'node_modules'), join(ROOT, 'node_modules')].join(':'),
      NODE_NO_WARNINGS: '1',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHFAKE',
      AWS_SECRET_ACCESS_KEY: 'bench-fake-secret',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `bench-${name.replace(/\s+/g, '-')}`,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/bench',
      AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
      AWS_XRAY_DAEMON_ADDRESS: sink.address,
      LAMBDA_TASK_ROOT: tasks[name],
      _HANDLER: 'index.handler',
      TABLE_NAME: 'webhook-events',
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
    };
    if (mode.fastStart === undefined) return env;
    return otelInstrumentEnvironment({ ...env, ...MODULE_OTEL_ENV, OTEL_AWS_LAMBDA_FAST_START: mode.fastStart }, wrappers);
  };
  return { node, envFor, tasks, sink, distro: installedDistroVersion(ROOT), close: async () => { await sink.close(); await rm(base, { recursive: true, force: true }); } };
}

async function layerColdStart(layer) {
  const once = async (name, mode) => {
    const stdout = await runNode([join(BENCH, 'layer', 'cold-start.cjs')], { node: layer.node, cwd: layer.tasks[name], env: layer.envFor(name, mode), timeoutMs: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop());
    if (result.wrapped !== (mode.fastStart !== undefined)) throw new Error(`${name}, ${mode.name}: the handler was ${result.wrapped ? '' : 'not '}wrapped by the layer`);
    return result.ms;
  };
  const names = Object.keys(layer.tasks);
  const samples = Object.fromEntries(LAYER_MODES.map((mode) => [mode.name, Object.fromEntries(names.map((name) => [name, []]))]));
  // One discarded start each (file cache), then the variants take turns run by run.
  for (const mode of LAYER_MODES) for (const name of names) await once(name, mode);
  for (let run = 0; run < PLAN.layer.coldStartRuns; run++) {
    for (const mode of LAYER_MODES) for (const name of names) samples[mode.name][name].push(await once(name, mode));
  }
  return {
    title: `Cold start under the ADOT layer's real code (distro ${layer.distro}, Node ${layer.nodeVersion})`,
    unit: 'ms from process start to handler loaded',
    better: 'lower',
    runs: PLAN.layer.coldStartRuns,
    rows: LAYER_MODES.map((mode) => {
      const ours = summarize(samples[mode.name].consumer);
      const baseline = summarize(samples[mode.name]['baseline consumer']);
      return { name: mode.name, ours, baseline, ratio: ours.median / baseline.median };
    }),
  };
}

async function layerTracingCost(layer) {
  const sizes = [1, 10];
  const pooled = Object.fromEntries(LAYER_MODES.map((mode) => [mode.name, Object.fromEntries(sizes.map((size) => [size, []]))]));
  const datagramsBefore = layer.sink.received.datagrams;
  for (let round = 0; round < PLAN.layer.rounds; round++) {
    for (const mode of LAYER_MODES) {
      progress(`per-record tracing cost: ${mode.name}, round ${round + 1}/${PLAN.layer.rounds}`);
      const task = { batchSizes: sizes, warmupMs: PLAN.layer.warmupMs, sampleMs: PLAN.layer.sampleMs, samples: PLAN.layer.samples };
      const stdout = await runNode([join(BENCH, 'layer', 'consumer-throughput.mjs'), JSON.stringify(task)], { node: layer.node, cwd: layer.tasks.consumer, env: layer.envFor('consumer', mode) });
      const result = JSON.parse(stdout.trim().split('\n').pop());
      if (result.wrapped !== (mode.fastStart !== undefined)) throw new Error(`${mode.name}: the handler was ${result.wrapped ? '' : 'not '}wrapped by the layer`);
      for (const size of sizes) pooled[mode.name][size].push(...result.bySize[size].samples);
    }
  }
  if (layer.sink.received.datagrams === datagramsBefore) throw new Error('the layer exported nothing to AWS_XRAY_DAEMON_ADDRESS');
  const untraced = (size) => summarize(pooled['no layer'][size]);
  return {
    title: "Per-record tracing cost under the ADOT layer (our consumer; the layer's span processor and UDP exporter; FAKE DynamoDB endpoint)",
    unit: 'records/s',
    better: 'lower cost',
    rows: LAYER_MODES.filter((mode) => mode.fastStart !== undefined).flatMap((mode) =>
      sizes.map((size) => {
        const traced = summarize(pooled[mode.name][size]);
        return {
          name: `${mode.name}, batch of ${size}`,
          batchSize: size,
          traced,
          untraced: untraced(size),
          ratio: traced.median / untraced(size).median,
          addedMicrosPerRecord: 1e6 / traced.median - 1e6 / untraced(size).median,
        };
      }),
    ),
  };
}

async function underTheLayer() {
  const layer = await layerSetup();
  try {
    layer.nodeVersion = spawnSync(layer.node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    progress(`7. cold start under the ADOT layer (distro ${layer.distro}, ${PLAN.layer.coldStartRuns} runs per variant)`);
    const coldStart = await layerColdStart(layer);
    progress('8. per-record tracing cost under the ADOT layer');
    const tracingCost = await layerTracingCost(layer);
    return { layerColdStart: coldStart, layerTracingCost: tracingCost };
  } finally {
    await layer.close();
  }
}

function renderUnderTheLayer(m) {
  return [
    '',
    `### 7. ${m.layerColdStart.title} (${m.layerColdStart.unit}, ${m.layerColdStart.runs} runs, lower is better)`,
    table(['mode', 'our consumer', 'baseline consumer', 'ratio'], m.layerColdStart.rows.map((r) => [r.name, stat(r.ours), stat(r.baseline), r.ratio.toFixed(2)])),
    '',
    `### 8. ${m.layerTracingCost.title} (records/s)`,
    table(['mode, batch', 'traced', 'no layer', 'ratio', 'added per record'], m.layerTracingCost.rows.map((r) => [r.name, stat(r.traced), stat(r.untraced), r.ratio.toFixed(2), `${r.addedMicrosPerRecord.toFixed(0)} µs`])),
  ].join('\n');
}

// ---- 9-11. batch scale and per-record tracing cost (issue 12) -------------------------------------
/** Default memory of the consumer (variables.tf consumer_memory_size), the bound for measurement 8. */
const CONSUMER_DEFAULT_MEMORY_MB = 512;

async function throttling() {
  const plan = PLAN.throttle;
  const rows = [];
  for (const variant of plan.variants) {
    progress(`9. throttling: ${variant}, batch of ${plan.batchSize}, ${plan.share * 100}% of DynamoDB calls throttled`);
    const runs = await harness({ mode: 'throttle', variant, delayMs: DELAY_MS, ...plan });
    const clean = summarize(runs.clean.map((r) => r.ms));
    const throttled = summarize(runs.throttled.map((r) => r.ms));
    const side = variant === 'baseline' ? 'baseline' : 'ours';
    rows.push({
      name: `${side}, batch of ${plan.batchSize}`,
      variant,
      batchSize: plan.batchSize,
      cleanMs: clean,
      throttledMs: throttled,
      slowdown: throttled.median / clean.median,
      stored: Math.min(...runs.throttled.map((r) => r.stored)),
      failed: Math.max(...runs.throttled.map((r) => r.failed)),
      throttledCalls: summarize(runs.throttled.map((r) => r.throttledCalls)),
    });
  }
  return {
    title: `Throttling: ${plan.share * 100}% of DynamoDB calls answered ProvisionedThroughputExceededException, ${DELAY_MS} ms per call (FAKE endpoint)`,
    unit: 'ms per batch',
    better: 'all stored, then lower',
    share: plan.share,
    rows,
  };
}

async function memory() {
  const plan = PLAN.memory;
  const rows = [];
  for (const variant of plan.variants) {
    progress(`10. memory: ${variant}, one batch of ${plan.records} records of ${plan.padBytes} B payload`);
    const result = await harness({ mode: 'memory', variant, delayMs: DELAY_MS, ...plan });
    rows.push({ name: `${variant === 'baseline' ? 'baseline' : 'ours'}, ${plan.records} records`, variant, records: plan.records, ...result, withinDefaultMemory: result.peakRssMiB < CONSUMER_DEFAULT_MEMORY_MB });
  }
  return { title: `Peak memory, one batch of ${plan.records} records with ${plan.padBytes} B payloads, ${DELAY_MS} ms per call (FAKE endpoint)`, unit: 'MiB RSS', better: 'lower', consumerDefaultMemoryMb: CONSUMER_DEFAULT_MEMORY_MB, rows };
}

async function tracingCost() {
  const plan = PLAN.tracingCost;
  const pooled = { 'ours-traced': [], 'ours-untraced': [] };
  for (let round = 0; round < plan.rounds; round++) {
    for (const variant of Object.keys(pooled)) {
      progress(`11. tracing cost: ${variant}, round ${round + 1}/${plan.rounds}`);
      const result = await harness({ mode: 'tracing-cost', variant, batchSize: 100, ...plan });
      pooled[variant].push(...result.cpuMicrosPerRecord);
    }
  }
  const traced = summarize(pooled['ours-traced']);
  const untraced = summarize(pooled['ours-untraced']);
  progress('11. tracing cost: CPU profile of the traced consumer (node --cpu-prof, unminified harness)');
  const profileDir = await mkdtemp(join(tmpdir(), 'bench-cpu-prof-'));
  let profile;
  try {
    const run = await harness({ mode: 'tracing-cost', variant: 'ours-traced', batchSize: 100, warmupMs: plan.profileMs, sampleMs: plan.profileMs, samples: 1 }, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir], bundle: 'harness-plain.cjs' });
    const { readdir } = await import('node:fs/promises');
    const { summarizeProfile } = await import('./lib/profile-summary.mjs');
    // The main thread's profile is the larger one (the other is the fake endpoint's worker, idle here).
    const files = await Promise.all((await readdir(profileDir)).map(async (name) => ({ name, size: (await readFile(join(profileDir, name))).length })));
    const main = files.sort((a, b) => b.size - a.size)[0];
    profile = { ...summarizeProfile(join(profileDir, main.name), join(OUT, 'harness-plain.cjs'), { top: 15, window: run.window }), records: run.records };
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
  // Sampled time per record in the profiled run, split by module.
  const groups = profile.groups.slice(0, 15).map((g) => ({ ...g, microsPerRecord: (g.ms * 1000) / profile.records }));
  return {
    title: 'Per-record tracing cost: the consumer with an instant in-process DynamoDB client, OTel SDK (BatchSpanProcessor, discarding exporter) vs no SDK',
    unit: 'µs of CPU per record',
    better: 'lower',
    rows: [{ name: 'batch of 100', batchSize: 100, traced, untraced, addedMicrosPerRecord: traced.median - untraced.median }],
    profile: { totalMs: profile.totalMs, records: profile.records, groups, functions: profile.functions.map((f) => ({ ...f, microsPerRecord: (f.ms * 1000) / profile.records })) },
  };
}

function renderBatchScale(m) {
  const out = [];
  const t = m.throttling;
  if (t) out.push('', `### 9. ${t.title}`, table(['run', 'no throttling ms', 'throttled ms', 'slowdown', 'throttled calls', 'records stored', 'records failed'], t.rows.map((r) => [r.name, stat(r.cleanMs), stat(r.throttledMs), `${r.slowdown.toFixed(2)}x`, stat(r.throttledCalls), `${r.stored} / ${r.batchSize}`, String(r.failed)])));
  const mem = m.memory;
  if (mem) out.push('', `### 10. ${mem.title} (the consumer's default memory is ${mem.consumerDefaultMemoryMb} MB)`, table(['run', 'event JSON MiB', 'RSS before MiB', 'peak RSS MiB', 'process max RSS MiB', 'batch ms', 'spans'], mem.rows.map((r) => [r.name, fmt(r.eventBytes / 2 ** 20), fmt(r.rssBeforeMiB), fmt(r.peakRssMiB), fmt(r.maxRssMiB), fmt(r.ms), String(r.spans)])));
  const c = m.tracingCost;
  if (!c) return out;
  const row = c.rows[0];
  out.push('', `### 11. ${c.title} (µs of CPU per record, lower is better)`, table(['batch', 'traced', 'no SDK', 'added per record'], [[row.name, stat(row.traced), stat(row.untraced), `${row.addedMicrosPerRecord.toFixed(1)} µs`]]));
  out.push('', `CPU profile of the traced run (node --cpu-prof, measured window only: ${fmt(c.profile.totalMs)} ms of samples, ${c.profile.records} records); self time by module:`, table(['module', 'share', 'µs per record'], c.profile.groups.map((g) => [g.name, `${(g.share * 100).toFixed(1)}%`, g.microsPerRecord.toFixed(2)])));
  out.push('', 'Top functions (self time):', table(['function', 'module', 'share', 'µs per record'], c.profile.functions.map((f) => [f.name, f.group, `${(f.share * 100).toFixed(1)}%`, f.microsPerRecord.toFixed(2)])));
  return out;
}

function batchScaleTargets(m) {
  const list = [];
  const limits = { 10: 1.2, 100: 2, 1000: 10 };
  for (const row of m.batchLatency?.rows ?? []) {
    const limit = limits[row.batchSize];
    if (limit) list.push({ target: `batch of ${row.batchSize} at ${DELAY_MS} ms per write <= ${limit} round trips`, value: `${row.ours.median.toFixed(2)} round trips (baseline ${row.baseline.median.toFixed(2)})`, met: row.ours.median <= limit });
  }
  for (const row of (m.throttling?.rows ?? []).filter((r) => r.variant !== 'baseline')) list.push({ target: `throttling: every record stored (${row.name})`, value: `${row.stored} / ${row.batchSize}, ${row.slowdown.toFixed(2)}x the time`, met: row.stored === row.batchSize && row.failed === 0 });
  for (const row of (m.memory?.rows ?? []).filter((r) => r.variant !== 'baseline')) list.push({ target: `${row.records} records within the consumer's default ${m.memory.consumerDefaultMemoryMb} MB`, value: `${fmt(row.peakRssMiB)} MiB peak RSS`, met: row.withinDefaultMemory });
  const cost = m.tracingCost?.rows[0];
  if (cost) list.push({ target: 'our per-record tracing work <= 25 µs (traced - no SDK, CPU)', value: `${cost.addedMicrosPerRecord.toFixed(1)} µs`, met: cost.addedMicrosPerRecord <= 25 });
  return list;
}

// ---- report --------------------------------------------------------------------------------------
function machine() {
  const cpuInfo = existsSync('/proc/cpuinfo') ? spawnSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: 'utf8' }).stdout.trim() : '';
  return { nproc: cpus().length, cpu: cpuInfo || cpus()[0]?.model || 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
}

function targets(m) {
  const list = [];
  for (const row of m.consumerThroughput?.rows ?? []) list.push({ target: `traced throughput >= untraced baseline (${row.name})`, value: `${row.ratio.toFixed(2)}x`, met: row.ratio >= 1 });
  for (const row of m.tracingOverhead?.rows ?? []) list.push({ target: `tracing overhead < 10% (${row.name})`, value: `${row.overheadPercent.toFixed(1)}%`, met: row.overheadPercent < 10 });
  // No size or cold-init targets: what the AWS SDK and the layer load dominates both sides (7.);
  // the sizes are reported as information.
  list.push(...batchScaleTargets(m));
  return list;
}

const fmt = (value) => {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
};
const stat = (s) => (typeof s === 'number' ? fmt(s) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`);
const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const callsText = (calls) => Object.entries(calls ?? {}).map(([op, n]) => `${n.toFixed(n % 1 ? 2 : 0)} ${op}`).join(' + ') || 'none';

function render(report) {
  const m = report.measurements;
  const out = [];
  out.push(`Benchmarks (${report.mode} run, ${report.wallSeconds.toFixed(0)} s) on ${report.machine.nproc} x ${report.machine.cpu}, node ${report.machine.node}`);
  out.push('Figures are median (min–max). ratio = ours / baseline (medians). Baseline = AWS Lambda Powertools batch + idempotency (bench/baseline/).');
  if (m.zipSize) out.push('', `### 1. ${m.zipSize.title} (bytes, lower is better)`, table(['bundle', 'ours', 'baseline consumer', 'ratio', 'index.js unzipped: ours / baseline (ratio)'], m.zipSize.rows.map((r) => [r.name, fmt(r.ours), fmt(r.baseline), r.ratio.toFixed(2), `${fmt(r.uncompressed.ours)} / ${fmt(r.uncompressed.baseline)} (${r.uncompressed.ratio.toFixed(2)})`])));
  if (m.coldInit) out.push('', `### 2. ${m.coldInit.title} (ms to require the bundle in a fresh node, ${m.coldInit.runs} runs, lower is better)`, table(['bundle', 'ours', 'baseline consumer', 'ratio'], m.coldInit.rows.map((r) => [r.name, stat(r.ours), stat(r.baseline), r.ratio.toFixed(2)])));
  if (m.consumerThroughput) out.push('', `### 3. ${m.consumerThroughput.title} (records/s, higher is better)`, table(['batch', 'ours (OTel SDK recording)', 'baseline', 'ratio'], m.consumerThroughput.rows.map((r) => [r.name, stat(r.ours), stat(r.baseline), r.ratio.toFixed(2)])));
  if (m.consumerThroughput) out.push(`DynamoDB calls per record: ours ${callsText(m.consumerThroughput.dynamodbCallsPerRecord.ours)}; baseline ${callsText(m.consumerThroughput.dynamodbCallsPerRecord.baseline)}.`);
  if (m.tracingOverhead) out.push('', `### 4. ${m.tracingOverhead.title} (records/s)`, table(['batch', 'ours, SDK recording', 'ours, no SDK', 'ratio', 'overhead', 'added per record', 'diagnostic: context manager only, no tracer provider', 'its overhead'], m.tracingOverhead.rows.map((r) => [r.name, stat(r.traced), stat(r.untraced), r.ratio.toFixed(2), `${r.overheadPercent.toFixed(1)}%`, `${r.addedMicrosPerRecord.toFixed(0)} µs`, stat(r.contextOnly), `${r.contextOnlyOverheadPercent.toFixed(1)}%`])));
  const single = m.batchLatency?.singleCallMs;
  if (m.batchLatency) out.push('', `### 5. ${m.batchLatency.title} (batch wall time in ${DELAY_MS} ms round trips, lower is better)`, table(['batch', 'ours (defaults: 128 sockets, concurrency follows)', 'baseline', 'ratio', 'ours ms', 'baseline ms', 'calls/record ours; baseline', 'most calls in flight ours; baseline'], m.batchLatency.rows.map((r) => [r.name, stat(r.ours), stat(r.baseline), r.ratio.toFixed(2), stat(r.oursMs), stat(r.baselineMs), `${callsText(r.dynamodbCallsPerRecord.ours)}; ${callsText(r.dynamodbCallsPerRecord.baseline)}`, `${r.maxCallsInFlight.ours}; ${r.maxCallsInFlight.baseline}`])));
  if (single) out.push(`One DynamoDB call on its own took ${stat(single.ours)} ms (ours' client), ${stat(single.baseline)} ms (baseline's client).`);
  if (m.producer) out.push('', `### 6. ${m.producer.title} (ms per request, lower is better; no baseline)`, table(['payload', 'ours'], m.producer.rows.map((r) => [r.name, stat(r.ours)])));
  if (m.producerSchemes)
    out.push(
      '',
      `### 6b. ${m.producerSchemes.title} (reported, not asserted)`,
      table(['scheme', 'p50 ms', 'p99 ms', 'max ms', 'requests', "sender's deadline"], m.producerSchemes.rows.map((r) => [r.name, fmt(r.p50), fmt(r.p99), fmt(r.ours.max), String(r.requests), r.deadlineMs ? `${r.deadlineMs / 1000} s` : '—'])),
    );
  if (m.layerColdStart) out.push(renderUnderTheLayer(m));
  out.push(...renderBatchScale(m));
  out.push('', '### Targets (reported, not asserted)', table(['target', 'value', 'met'], report.targets.map((t) => [t.target, t.value, t.met ? 'yes' : 'NO'])));
  return out.join('\n');
}

async function main() {
  const started = Date.now();
  ensureInstalled();
  await buildAll();
  const measurements = {};
  if (wanted('zipSize')) {
    progress('1. zip sizes');
    measurements.zipSize = zipSizes();
  }
  if (wanted('coldInit')) {
    progress(`2. cold init (${PLAN.coldInitRuns} runs per bundle)`);
    measurements.coldInit = await coldInit();
  }
  if (wanted('consumerThroughput')) {
    progress('3-4. consumer throughput and tracing overhead');
    const { throughput, overhead } = await consumerThroughput();
    Object.assign(measurements, { consumerThroughput: throughput, tracingOverhead: overhead });
  }
  if (wanted('batchLatency')) {
    progress('5. batch latency');
    measurements.batchLatency = await batchLatency();
  }
  if (wanted('producer')) {
    progress('6. producer');
    measurements.producer = await producerTime();
  }
  if (wanted('producerSchemes')) {
    progress('6b. producer per scheme');
    measurements.producerSchemes = await producerSchemes();
  }
  if (wanted('layer')) Object.assign(measurements, await underTheLayer());
  // 9-11 (issue 12)
  if (wanted('throttling')) measurements.throttling = await throttling();
  if (wanted('memory')) measurements.memory = await memory();
  if (wanted('tracingCost')) measurements.tracingCost = await tracingCost();
  const report = {
    mode: QUICK ? 'quick' : 'full',
    ...(ONLY ? { only: [...ONLY] } : {}),
    date: new Date().toISOString(),
    machine: machine(),
    wallSeconds: (Date.now() - started) / 1000,
    measurements,
  };
  report.targets = targets(measurements);
  process.stdout.write(JSON_OUTPUT ? JSON.stringify(report, null, 2) + '\n' : render(report) + '\n');
}

main().catch((error) => {
  for (const child of children) child.kill('SIGKILL');
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
