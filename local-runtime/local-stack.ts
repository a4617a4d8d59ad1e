import { ScanCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { installedDistroVersion } from './adot-layer';
import { enforcementFromEnv, LocalAws, type LocalAwsLayer } from './local-aws';
import { LocalPipeline, type DeployedPipeline } from './local-pipeline';
import { startMoto, type MotoServer } from './moto';
import { stageExample } from './staged-example';
import { assertTerraformInstalled, TerraformWorkspace } from './terraform';
import { messageEventKey } from '../tools/where-is/dlq-peek';
import type { SchemeName } from '../functions/producer/senders';
import { DEFAULT_SOURCE_NAME } from '../functions/webhook-identity';
import { newSigningSecret } from './webhook-senders';

export const REGION = 'us-east-1';

/** One source the producer serves, as the module's webhook_sources output describes it. */
export interface DeployedSource {
  scheme: SchemeName | 'none';
  route: string;
  secret_arn: string | null;
  /** What its events' keys start with: "" for /webhook's bare ids, "<source>#" for the others. */
  key_prefix: string;
}

/** One consumer of the module's fan_out output (examples/local re-exports it). */
export interface FanOutConsumerOutput {
  own: boolean;
  function_name: string;
  role_name: string;
  log_group_name: string;
  queue_url: string;
  queue_arn: string;
  dlq_url: string;
  /** Null for a package of its own. */
  table_name: string | null;
  raw_message_delivery: boolean;
  filter_policy: string | null;
  subscription_arn: string;
}

export interface FanOutOutput {
  topic_arn: string;
  topic_name: string;
  consumers: Record<string, FanOutConsumerOutput>;
}

/** The outputs of examples/local the runtime needs. */
export interface LocalOutputs {
  /** Every source, by name: stripe (/webhook) and examples/local's one per scheme. */
  webhook_sources: Record<string, DeployedSource>;
  producer_function_name: string;
  consumer_function_name: string;
  queue_url: string;
  dlq_url: string;
  table_name: string;
  webhook_secret_arn: string;
  api_id: string;
  /** The customer managed key examples/local encrypts queues, table and secret with. */
  kms_key_arn: string;
  /** The topic and every consumer, with fan-out (vars.fan_out); null or absent without. */
  fan_out?: FanOutOutput | null;
}

/** The deployment's consumers for the local runtime: with fan-out, the module's own by its name, then the others. */
export function fanOutOf(outputs: LocalOutputs): DeployedPipeline['fanOut'] {
  const fanOut = outputs.fan_out;
  if (!fanOut) return undefined;
  const entries = Object.entries(fanOut.consumers);
  const own = entries.find(([, consumer]) => consumer.own);
  return {
    ownConsumerName: own?.[0] ?? 'consumer',
    consumers: entries.filter(([, consumer]) => !consumer.own).map(([name, consumer]) => ({ name, functionName: consumer.function_name })),
  };
}

export interface LocalStack {
  moto: MotoServer;
  /** The endpoint Terraform, the functions, the mapping and the harness call: the emulator behind AWS's checks. */
  localAws: LocalAws;
  workspace: TerraformWorkspace;
  vars: Record<string, string | number>;
  outputs: LocalOutputs;
  pipeline: LocalPipeline;
  /** The signing secret put into the deployed secret, out of band as the README tells users. */
  signingSecret: string;
  /** Each source's signing secret (in its scheme's format), put into its own secret the same way; stripe's is signingSecret. */
  sourceSecrets: Record<string, string>;
  spansFile: string;
  /** The account admin's clients, through the local AWS endpoint (not evaluated: the harness, like Terraform). */
  clients: { sqs: SQSClient; dynamodb: DynamoDBClient };
  /** Stops the runtime, destroys what Terraform created, stops the endpoint and the emulator. */
  stop(options?: { destroy?: boolean }): Promise<void>;
}

export interface DeployOptions {
  root: string;
  /** Folder for Terraform's data and state, and the spans file. */
  workDir: string;
  name: string;
  /** Set over each function's deployed environment by the local runtime (e.g. OTEL_AWS_LAMBDA_FAST_START). */
  environmentOverrides?: Record<string, string>;
  onProgress?: (line: string) => void;
  /** Extra variables for examples/local (the soak's short timeouts and larger bodies; fan_out as HCL). */
  vars?: Record<string, string | number>;
  /** Between the local AWS endpoint's checks and the emulator (the soak's fault injection). */
  localAwsLayers?: LocalAwsLayer[];
  /**
   * IAM, KMS, SQS limits, Lambda permissions and X-Ray sampling as a real account applies them
   * (default: on, unless LOCAL_AWS_ENFORCE=off); off runs against the emulator alone.
   */
  enforce?: boolean;
  /** The randomness of X-Ray's fixed-rate sampling (seeded by the soak). */
  random?: () => number;
  /** Batches the local event source mapping processes at once (default 1). */
  mappingConcurrency?: number;
  /**
   * Deploy this published example (examples/<name>, staged with local-runtime/staged-example.ts)
   * instead of examples/local: its variables come from `vars`, its missing outputs from `extraOutputs`.
   */
  example?: { name: string; extraOutputs: Record<string, string> };
}

/**
 * Starts the emulator on a free port, applies examples/local to it, gives the deployed secret a
 * value and starts the local runtime against what was deployed. On failure, stops what it started.
 */
export async function deployLocalStack(options: DeployOptions): Promise<LocalStack> {
  assertTerraformInstalled();
  const progress = options.onProgress ?? (() => undefined);
  progress('starting moto_server');
  const moto = await startMoto();
  let localAws: LocalAws | undefined;
  const configDir = options.example
    ? stageExample(options.root, options.example.name, options.workDir, {
        standinLayerZip: join(options.root, 'dist/local-runtime/adot-standin-layer.zip'),
        adotRelease: installedDistroVersion(options.root),
        extraOutputs: options.example.extraOutputs,
      }).configDir
    : join(options.root, 'examples/local');
  const exampleName = options.example ? `examples/${options.example.name}` : 'examples/local';
  const workspace = new TerraformWorkspace(configDir, options.workDir, options.root);
  const spansFile = join(options.workDir, 'spans.jsonl');
  let vars: Record<string, string | number> = {};
  let applied = false;
  try {
    const enforce = options.enforce ?? enforcementFromEnv();
    localAws = await LocalAws.start({ motoEndpoint: moto.endpoint, region: REGION, enforce, ...(options.localAwsLayers ? { layers: options.localAwsLayers } : {}) });
    progress(`local AWS endpoint ${localAws.endpoint} (TLS ${localAws.tlsEndpoint}) in front of moto_server, enforcement ${enforce ? 'on' : 'off'}`);
    vars = { ...options.vars, name: options.name, aws_endpoint: localAws.endpoint };
    progress(`terraform init (${exampleName})`);
    await workspace.init();
    progress(`terraform apply (${exampleName}): the emulator takes ~25 s per queue`);
    applied = true;
    await workspace.apply(vars, (line) => {
      if (/Creation complete|Still creating/.test(line)) progress(line.replace(/^.*?(module\.|aws_)/, '$1'));
    });
    const outputs = (await workspace.outputs()) as unknown as LocalOutputs;
    const clientConfig = localAws.adminClientConfig();
    const signingSecret = `whsec_local_${randomBytes(18).toString('hex')}`;
    const secretsManager = new SecretsManagerClient(clientConfig);
    await secretsManager.send(new PutSecretValueCommand({ SecretId: outputs.webhook_secret_arn, SecretString: signingSecret }));
    const sourceSecrets: Record<string, string> = { [DEFAULT_SOURCE_NAME]: signingSecret };
    for (const [name, source] of Object.entries(outputs.webhook_sources ?? {})) {
      if (name === DEFAULT_SOURCE_NAME || source.scheme === 'none' || !source.secret_arn) continue;
      sourceSecrets[name] = newSigningSecret(source.scheme);
      await secretsManager.send(new PutSecretValueCommand({ SecretId: source.secret_arn, SecretString: sourceSecrets[name] }));
    }
    progress('starting the local runtime (API Gateway, event source mapping, Lambda environments)');
    const pipeline = await LocalPipeline.start(
      { producerFunctionName: outputs.producer_function_name, consumerFunctionName: outputs.consumer_function_name, restApiId: outputs.api_id, ...(outputs.fan_out ? { fanOut: fanOutOf(outputs) } : {}) },
      {
        localAws,
        root: options.root,
        spansFile,
        ...(options.environmentOverrides ? { environmentOverrides: options.environmentOverrides } : {}),
        ...(options.mappingConcurrency ? { mappingConcurrency: options.mappingConcurrency } : {}),
        ...(options.random ? { random: options.random } : {}),
      },
    );
    const endpoint = localAws;
    const stack: LocalStack = {
      moto,
      localAws: endpoint,
      workspace,
      vars,
      outputs,
      pipeline,
      signingSecret,
      sourceSecrets,
      spansFile,
      clients: { sqs: new SQSClient(clientConfig), dynamodb: new DynamoDBClient(clientConfig) },
      stop: async ({ destroy = true } = {}) => {
        await pipeline.stop();
        try {
          if (destroy) await workspace.destroy(vars);
        } finally {
          await endpoint.close();
          await moto.stop();
        }
      },
    };
    return stack;
  } catch (error) {
    try {
      if (applied) await workspace.destroy(vars).catch(() => undefined);
    } finally {
      await localAws?.close();
      await moto.stop();
    }
    throw error;
  }
}

/** Every item in the table, keyed by eventId. */
export async function storedItems(dynamodb: DynamoDBClient, tableName: string): Promise<Map<string, Record<string, string>>> {
  const items = new Map<string, Record<string, string>>();
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const flat = Object.fromEntries(Object.entries(item).map(([key, value]) => [key, value.S ?? '']));
      items.set(flat.eventId as string, flat);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The table keys of the events in the DLQ (read with a zero visibility timeout so they stay): the bare id for /webhook, `<source>#<id>` for a source. */
export async function deadLetteredEventIds(sqs: SQSClient, dlqUrl: string): Promise<string[]> {
  const ids = new Set<string>();
  for (let round = 0; round < 5; round++) {
    const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    // The producer's messages, raw or in SNS's envelope (fan-out without raw delivery).
    for (const message of batch.Messages ?? []) ids.add(messageEventKey(message) ?? `(no event id: ${message.MessageId})`);
    if ((batch.Messages ?? []).length === 0) break;
  }
  return [...ids];
}

export async function waitUntil(check: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; onTick?: (elapsedMs: number) => void }): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    if (await check()) return true;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) return false;
    options.onTick?.(elapsed);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
