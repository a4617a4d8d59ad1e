import { parseArgs } from 'node:util';
import type { DeploymentFlags } from './deployment';

/** The flags every command takes to find the deployment. */
export const DEPLOYMENT_OPTIONS = {
  'terraform-dir': { type: 'string' },
  'outputs-file': { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  'queue-url': { type: 'string' },
  'dlq-url': { type: 'string' },
  'producer-log-group': { type: 'string' },
  'consumer-log-group': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEPLOYMENT_HELP = `Where the deployment is (flags win over outputs):
  --terraform-dir DIR        read \`terraform output -json\` in DIR (the root module or an example)
  --outputs-file FILE        a saved \`terraform output -json\` (- for stdin)
  --region R                 default: from the queue ARN/URL, else AWS_REGION
  --endpoint URL             an emulator (moto_server) instead of AWS
  --table, --queue-url, --dlq-url, --producer-log-group, --consumer-log-group
  --json                     machine-readable output`;

export type ParsedValues = Record<string, string | boolean | undefined>;

export function deploymentFlags(values: ParsedValues): DeploymentFlags {
  const get = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const flags: DeploymentFlags = {};
  const mapping: Array<[keyof DeploymentFlags, string]> = [
    ['terraformDir', 'terraform-dir'],
    ['outputsFile', 'outputs-file'],
    ['region', 'region'],
    ['endpoint', 'endpoint'],
    ['table', 'table'],
    ['queueUrl', 'queue-url'],
    ['dlqUrl', 'dlq-url'],
    ['producerLogGroup', 'producer-log-group'],
    ['consumerLogGroup', 'consumer-log-group'],
  ];
  for (const [key, name] of mapping) {
    const value = get(name);
    if (value !== undefined) flags[key] = value;
  }
  return flags;
}

/** `90s`, `15m`, `24h`, `14d` (or plain seconds) as seconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value} (use e.g. 30m, 24h, 14d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, not ${value}`);
  return parsed;
}

export { parseArgs };
