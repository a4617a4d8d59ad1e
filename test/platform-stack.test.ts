// The platform team's view: another Terraform stack references the module by a Git URL at a tag
// (and by a plain local path), sets only `name`, and plans, with no build step anywhere. The
// module's copy is a clone of HEAD, so only what is committed counts, as for a real user.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localAwsProviderBlock } from '../local-runtime/provider-block';
import { TerraformWorkspace } from '../local-runtime/terraform';
import { ROOT } from './support/bundle';
import { cloneHead, git } from './support/clone';

jest.setTimeout(300_000);

const TAG = 'v0.2.0-platform-test';
const FUNCTIONS = ['producer', 'consumer'] as const;

/** The platform team's stack: their provider (here pointed at the emulator) and the module with only `name`. */
function platformStack(source: string, endpoint: string): string {
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }
}

${localAwsProviderBlock(JSON.stringify(endpoint))}
module "webhook" {
  source = "${source}"

  name = "payments-webhook"
}
`;
}

/** What Terraform records as source_code_hash for a zip: base64 of its SHA-256. */
const sourceCodeHash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

describe('a platform stack using the module, with no build step', () => {
  let work: string;
  let moduleRepo: string;
  let endpoint: string;
  const committedHashes = new Map<string, string>();

  beforeAll(() => {
    endpoint = process.env.MOTO_ENDPOINT ?? '';
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: the jest global setup starts moto_server');
    work = mkdtempSync(join(tmpdir(), 'platform-'));
    moduleRepo = join(work, 'traced-webhook-pipeline');
    cloneHead(moduleRepo);
    git(moduleRepo, ['tag', TAG]);
    for (const name of FUNCTIONS) {
      // A missing zip is left for Terraform to report: that is what the platform team would see.
      const blob = spawnSync('git', ['show', `HEAD:dist/${name}.zip`], { cwd: moduleRepo });
      if (blob.status === 0) committedHashes.set(name, sourceCodeHash(blob.stdout));
    }
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ['a git::file:// URL at a tag', 'git', (): string => `git::file://${moduleRepo}?ref=${TAG}`, 'webhook'],
    ['a plain local path', 'local', (): string => '../traced-webhook-pipeline', ''],
  ] as const)('from %s: terraform init (offline) and plan against the emulator', async (_label, dir, source, downloaded) => {
    const stackDir = join(work, `platform-${dir}`);
    mkdirSync(stackDir);
    writeFileSync(join(stackDir, 'main.tf'), platformStack(source(), endpoint));
    const dataDir = join(stackDir, '.terraform');
    const terraform = new TerraformWorkspace(stackDir, stackDir, ROOT);
    await terraform.init();
    const plan = await terraform.plan({});
    expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).toContain('module.webhook.module.consumer.aws_lambda_function.this will be created');
    expect(plan).toContain('module.webhook.aws_lambda_event_source_mapping.consumer will be created');
    for (const name of FUNCTIONS) {
      // The function's zip is the committed one, byte for byte.
      expect(plan).toContain(`"${committedHashes.get(name)}"`);
    }

    // The module's copy Terraform used: downloaded under .terraform/modules, or the clone itself.
    const moduleCopy = downloaded ? join(dataDir, 'modules', downloaded) : moduleRepo;
    expect(existsSync(join(moduleCopy, 'main.tf'))).toBe(true);
    // No build ever ran there: no installed packages, no build output besides the committed zips.
    expect(existsSync(join(moduleCopy, 'node_modules'))).toBe(false);
    for (const name of FUNCTIONS) {
      expect(existsSync(join(moduleCopy, 'dist', name))).toBe(false);
      expect(sourceCodeHash(readFileSync(join(moduleCopy, 'dist', `${name}.zip`)))).toBe(committedHashes.get(name));
    }
    expect(existsSync(join(moduleCopy, 'dist', 'local-runtime'))).toBe(false);
  });
});
