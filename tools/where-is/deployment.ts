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
  /** With fan-out (output fan_out): every consumer, the module's own first; absent without. */
  consumers?: DeployedConsumer[];
}

/** One consumer of a fan-out, as the fan_out output names it. */
export interface DeployedConsumer {
  name: string;
  /** The module's own consumer (whose table, queue and DLQ are also the outputs table_name, queue_url, dlq_url). */
  own: boolean;
  /** Undefined for a package of its own: no table to read. */
  tableName?: string;
  queueUrl: string;
  dlqUrl: string;
  consumerLogGroup: string;
  /** Its subscription's filter policy (JSON), undefined when it takes every event. */
  filterPolicy?: string;
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
  const consumers = consumersOf(outputs.fan_out);
  return {
    ...(partial as Omit<Deployment, 'endpoint' | 'sources' | 'consumers'>),
    ...(endpoint ? { endpoint } : {}),
    ...(sources ? { sources } : {}),
    ...(consumers ? { consumers } : {}),
  };
}

/** The fan_out output's consumers, the module's own first, or undefined without fan-out. */
function consumersOf(value: unknown): DeployedConsumer[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const consumers = (value as { consumers?: unknown }).consumers;
  if (typeof consumers !== 'object' || consumers === null) return undefined;
  const field = (entry: Record<string, unknown>, name: string) => (typeof entry[name] === 'string' && entry[name] !== '' ? (entry[name] as string) : undefined);
  const list = Object.entries(consumers as Record<string, Record<string, unknown>>).map(([name, entry]): DeployedConsumer => {
    const tableName = field(entry, 'table_name');
    const filterPolicy = field(entry, 'filter_policy');
    const functionName = field(entry, 'function_name');
    return {
      name,
      own: entry.own === true,
      ...(tableName ? { tableName } : {}),
      queueUrl: field(entry, 'queue_url') ?? '',
      dlqUrl: field(entry, 'dlq_url') ?? '',
      consumerLogGroup: field(entry, 'log_group_name') ?? (functionName ? `/aws/lambda/${functionName}` : ''),
      ...(filterPolicy ? { filterPolicy } : {}),
    };
  });
  return list.sort((a, b) => Number(b.own) - Number(a.own));
}

/**
 * The deployment as one consumer sees it (its table, queue, DLQ and log group; the producer's
 * as before). Without fan-out only the one consumer exists: no name, or an error for a name.
 */
export function consumerDeployment(deployment: Deployment, name: string | undefined): Deployment {
  const consumers = deployment.consumers;
  if (!consumers) {
    if (name !== undefined) throw new Error(`--consumer ${name}: this deployment has one consumer (no fan_out)`);
    return deployment;
  }
  const consumer = consumers.find((candidate) => candidate.name === name);
  if (!consumer) {
    const names = consumers.map((candidate) => candidate.name).join(', ');
    throw new Error(name === undefined ? `this deployment fans out to ${names}: name one with --consumer` : `unknown consumer ${name}: this deployment fans out to ${names}`);
  }
  return { ...deployment, tableName: consumer.tableName ?? '', queueUrl: consumer.queueUrl, dlqUrl: consumer.dlqUrl, consumerLogGroup: consumer.consumerLogGroup };
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
