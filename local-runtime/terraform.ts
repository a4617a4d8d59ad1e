import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The CLI config pointing at a local provider mirror, when this machine has one. */
export function terraformCliConfig(root: string): string | undefined {
  const result = spawnSync('bash', [join(root, 'scripts/terraform-cli-config.sh')], { encoding: 'utf8', env: process.env });
  if (result.status !== 0) throw new Error(`scripts/terraform-cli-config.sh failed: ${result.stderr.trim()}`);
  const path = result.stdout.trim();
  return path === '' ? undefined : path;
}

export function assertTerraformInstalled(): void {
  const probe = spawnSync('terraform', ['version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new Error('terraform is not installed or not on PATH (https://developer.hashicorp.com/terraform/install), version >= 1.9');
}

/**
 * One Terraform configuration applied with its working data and state kept in a folder of its
 * own, so the demo and the tests never share state and nothing is written into the example
 * except Terraform's lock file.
 */
export class TerraformWorkspace {
  private readonly stateFile: string;

  constructor(
    private readonly configDir: string,
    private readonly workDir: string,
    private readonly root: string,
    /** Extra environment for every command, e.g. AWS_ENDPOINT_URL for a configuration without a provider block. */
    private readonly extraEnv: Record<string, string> = {},
  ) {
    mkdirSync(workDir, { recursive: true });
    this.stateFile = join(workDir, 'terraform.tfstate');
  }

  private env(): NodeJS.ProcessEnv {
    const cliConfig = terraformCliConfig(this.root);
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.extraEnv, TF_DATA_DIR: join(this.workDir, '.terraform'), TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
    if (cliConfig) env.TF_CLI_CONFIG_FILE = cliConfig;
    else delete env.TF_CLI_CONFIG_FILE;
    return env;
  }

  run(args: string[], onLine: (line: string) => void = () => undefined): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('terraform', [`-chdir=${this.configDir}`, ...args], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let stdout = '';
      const collect = (chunk: Buffer, isStdout: boolean) => {
        const text = chunk.toString('utf8');
        output += text;
        if (isStdout) stdout += text;
        for (const line of text.split('\n')) if (line.trim()) onLine(line);
      };
      child.stdout.on('data', (chunk: Buffer) => collect(chunk, true));
      child.stderr.on('data', (chunk: Buffer) => collect(chunk, false));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(stdout);
        else reject(new Error(`terraform ${args[0]} failed (exit ${code}):\n${output.split('\n').slice(-40).join('\n')}`));
      });
    });
  }

  private static varArgs(vars: Record<string, string | number>): string[] {
    return Object.entries(vars).map(([name, value]) => `-var=${name}=${value}`);
  }

  init(onLine?: (line: string) => void): Promise<string> {
    return this.run(['init', '-no-color', '-input=false'], onLine);
  }

  apply(vars: Record<string, string | number>, onLine?: (line: string) => void): Promise<string> {
    return this.run(['apply', '-no-color', '-auto-approve', '-input=false', `-state=${this.stateFile}`, ...TerraformWorkspace.varArgs(vars)], onLine);
  }

  plan(vars: Record<string, string | number>, onLine?: (line: string) => void): Promise<string> {
    return this.run(['plan', '-no-color', '-input=false', `-state=${this.stateFile}`, ...TerraformWorkspace.varArgs(vars)], onLine);
  }

  destroy(vars: Record<string, string | number>, onLine?: (line: string) => void): Promise<string> {
    return this.run(['destroy', '-no-color', '-auto-approve', '-input=false', `-state=${this.stateFile}`, ...TerraformWorkspace.varArgs(vars)], onLine);
  }

  async outputs(): Promise<Record<string, unknown>> {
    const raw = JSON.parse(await this.run(['output', '-no-color', '-json', `-state=${this.stateFile}`])) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(raw).map(([name, output]) => [name, output.value]));
  }
}
