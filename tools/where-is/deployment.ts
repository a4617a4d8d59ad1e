import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { DeploymentSources } from './event-ref';

/** Where one deployment of the pipeline keeps what where-is and redrive read. */
export interface Deployment {
  region: string;
  /** An emulator's endpoint (moto_server); unset for AWS. */
  endpoint?: string;
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  producerLogGroup: string;
  consumerLogGroup: string;
  /** The sources it serves (output webhook_sources), when its outputs say. */
  sources?: DeploymentSources;
}

export interface DeploymentFlags {
  terraformDir?: string;
  outputsFile?: string;
  region?: string;
  endpoint?: string;
  table?: string;
  queueUrl?: string;
  dlqUrl?: string;
  producerLogGroup?: string;
  consumerLogGroup?: string;
}

type Outputs = Record<string, unknown>;

/** `terraform output -json` as name -> value (also accepts an already flattened object). */
export function flattenOutputs(raw: unknown): Outputs {
  if (typeof raw !== 'object' || raw === null) throw new Error('terraform outputs must be a JSON object');
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([name, value]) => [
      name,
      typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value,
    ]),
  );
}

export function readTerraformOutputs(dir: string): Outputs {
  const result = spawnSync('terraform', [`-chdir=${dir}`, 'output', '-json'], { encoding: 'utf8' });
  if (result.error) throw new Error(`could not run terraform: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`terraform output -json in ${dir} failed: ${result.stderr.trim()}`);
  return flattenOutputs(JSON.parse(result.stdout));
}

const text = (outputs: Outputs, name: string) => (typeof outputs[name] === 'string' && outputs[name] !== '' ? (outputs[name] as string) : undefined);

/** The region a queue URL or ARN names (sqs.<region>.amazonaws.com, arn:aws:sqs:<region>:...). */
export function regionFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^arn:[^:]+:[^:]+:([a-z0-9-]+):/.exec(value)?.[1] ?? /sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(value)?.[1];
}

/**
 * Flags win over outputs. Outputs are the root module's (or an example's that re-exports them):
 * table_name, queue_url, dlq_url and the log group names, or the function names they derive from.
 */
export function resolveDeployment(flags: DeploymentFlags, outputs: Outputs = {}, env: NodeJS.ProcessEnv = process.env): Deployment {
  const logGroup = (output: string, fn: string) => text(outputs, output) ?? (text(outputs, fn) ? `/aws/lambda/${text(outputs, fn)}` : undefined);
  const partial = {
    tableName: flags.table ?? text(outputs, 'table_name'),
    queueUrl: flags.queueUrl ?? text(outputs, 'queue_url'),
    dlqUrl: flags.dlqUrl ?? text(outputs, 'dlq_url'),
    producerLogGroup: flags.producerLogGroup ?? logGroup('producer_log_group_name', 'producer_function_name'),
    consumerLogGroup: flags.consumerLogGroup ?? logGroup('consumer_log_group_name', 'consumer_function_name'),
    region:
      flags.region ??
      regionFrom(text(outputs, 'queue_arn')) ??
      regionFrom(text(outputs, 'queue_url')) ??
      env.AWS_REGION ??
      env.AWS_DEFAULT_REGION,
  };
  const missing = Object.entries({
    tableName: '--table (output table_name)',
    queueUrl: '--queue-url (output queue_url)',
    dlqUrl: '--dlq-url (output dlq_url)',
    producerLogGroup: '--producer-log-group (output producer_log_group_name or producer_function_name)',
    consumerLogGroup: '--consumer-log-group (output consumer_log_group_name or consumer_function_name)',
    region: '--region (or AWS_REGION)',
  })
    .filter(([key]) => partial[key as keyof typeof partial] === undefined)
    .map(([, flag]) => flag);
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
  const endpoint = flags.endpoint ?? text(outputs, 'moto_endpoint');
  const sources = sourcesOf(outputs.webhook_sources);
  return { ...(partial as Omit<Deployment, 'endpoint' | 'sources'>), ...(endpoint ? { endpoint } : {}), ...(sources ? { sources } : {}) };
}

/** The webhook_sources output as name -> key prefix, or undefined when the outputs have none (a deployment from before sources). */
function sourcesOf(value: unknown): DeploymentSources | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, source]) => {
      const prefix = typeof source === 'object' && source !== null ? (source as { key_prefix?: unknown }).key_prefix : undefined;
      return [name, { keyPrefix: typeof prefix === 'string' ? prefix : '' }];
    }),
  );
}

/** Reads the outputs named by the flags (a Terraform directory or a saved `terraform output -json`). */
export function loadDeployment(flags: DeploymentFlags): Deployment {
  let outputs: Outputs = {};
  if (flags.outputsFile) outputs = flattenOutputs(JSON.parse(readFileSync(flags.outputsFile === '-' ? 0 : flags.outputsFile, 'utf8')));
  else if (flags.terraformDir) outputs = readTerraformOutputs(flags.terraformDir);
  return resolveDeployment(flags, outputs);
}
