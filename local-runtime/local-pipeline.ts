import { GetFunctionConfigurationCommand, GetLayerVersionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { fastStartRefusal, readAdotReleases, runsLayerFastStart, type AttachedLayer } from './adot-layer';
import { startApiGateway, type LocalApiGateway } from './api-gateway';
import { LocalEventSourceMapping, readMapping, type BatchReport, type MappingSettings } from './event-source-mapping';
import { codeSha256, unpackFunction } from './function-package';
import { lambdaNodeBinary } from './lambda-node';
import { LocalLambda } from './local-lambda';
import { appendSpanRecords } from './span-file';
import { startXrayDaemon, type LocalXrayDaemon } from './xray-daemon';

/** What Terraform deployed, from the example's outputs. */
export interface DeployedPipeline {
  producerFunctionName: string;
  consumerFunctionName: string;
}

export interface LocalPipelineOptions {
  endpoint: string;
  region: string;
  /** The repository root: dist/ zips, dist/local-runtime scripts, node_modules for the SDK. */
  root: string;
  /** Where every span goes, as JSON lines: the layer's (received as the X-Ray daemon) and API Gateway's. */
  spansFile: string;
  /** Set over each function's deployed environment, as if deployed with it (e.g. OTEL_AWS_LAMBDA_FAST_START). */
  environmentOverrides?: Record<string, string>;
  /** Override the zips to load (default dist/producer.zip and dist/consumer.zip). */
  producerZip?: string;
  consumerZip?: string;
  /** The AWS endpoint the functions call, when it is not `endpoint` (the soak's fault proxy in front of it). */
  functionEndpoint?: string;
  /** Batches the event source mapping processes at once (Lambda scales SQS pollers up; default 1). */
  mappingConcurrency?: number;
}

/**
 * The deployed environment, with the emulator's address replaced by the functions' endpoint: the
 * SQS client sends to the host of QUEUE_URL, so that must name the functions' endpoint too.
 */
function environmentFor(variables: Record<string, string>, options: LocalPipelineOptions): Record<string, string> {
  const { functionEndpoint, endpoint } = options;
  if (!functionEndpoint || functionEndpoint === endpoint) return variables;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, value.split(endpoint).join(functionEndpoint)]));
}

export const awsClientConfig = (endpoint: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

/** The function's layers with their descriptions, read back from the emulator as Lambda's GetLayerVersion gives them. */
async function attachedLayers(lambda: LambdaClient, arns: string[]): Promise<AttachedLayer[]> {
  return Promise.all(
    arns.map(async (arn) => {
      const versionAt = arn.lastIndexOf(':');
      const layer = await lambda.send(new GetLayerVersionCommand({ LayerName: arn.slice(0, versionAt), VersionNumber: Number(arn.slice(versionAt + 1)) }));
      return { arn, description: layer.Description };
    }),
  );
}

async function deployedLambda(lambda: LambdaClient, functionName: string, zipPath: string, options: LocalPipelineOptions, daemon: LocalXrayDaemon): Promise<LocalLambda> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  if (config.CodeSha256 !== codeSha256(zipPath)) {
    throw new Error(`${functionName} was deployed from other code than ${zipPath}: run make build, then terraform apply`);
  }
  // The runtime runs the installed distro whatever the layer: fast start must be refused where the
  // deployed layer's release has no lite mode, as that layer would silently ignore it.
  const deployedEnvironment = { ...(config.Environment?.Variables ?? {}), ...options.environmentOverrides };
  if (runsLayerFastStart(deployedEnvironment)) {
    const layers = await attachedLayers(lambda, (config.Layers ?? []).flatMap((layer) => (layer.Arn ? [layer.Arn] : [])));
    const refusal = fastStartRefusal(functionName, deployedEnvironment, layers, readAdotReleases(options.root));
    if (refusal) throw new Error(refusal);
  }
  const runtime = config.Runtime ?? 'unknown';
  const scripts = join(options.root, 'dist/local-runtime');
  return new LocalLambda({
    functionName,
    functionArn: config.FunctionArn ?? `arn:aws:lambda:${options.region}:123456789012:function:${functionName}`,
    runtime,
    nodeBinary: lambdaNodeBinary(runtime, options.root),
    taskDir: await unpackFunction(zipPath),
    handler: config.Handler ?? 'index.handler',
    environment: environmentFor((config.Environment?.Variables ?? {}) as Record<string, string>, options),
    ...(options.environmentOverrides ? { environmentOverrides: options.environmentOverrides } : {}),
    tracingMode: config.TracingConfig?.Mode === 'Active' ? 'Active' : 'PassThrough',
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    sdkNodePath: join(options.root, 'node_modules'),
    workerScript: join(scripts, 'lambda-worker.js'),
    layerWrappers: { full: join(scripts, 'layer-wrapper.js'), lite: join(scripts, 'layer-lite-wrapper.js') },
    xrayDaemonAddress: daemon.address,
    aws: { endpoint: options.functionEndpoint ?? options.endpoint, region: options.region },
  });
}

/**
 * The parts AWS plays and the emulator cannot, wired to what Terraform deployed: API Gateway in
 * front of the producer, the event source mapping between the queue and the consumer, and a
 * Lambda execution environment for each function, configured as deployed.
 */
export class LocalPipeline {
  private constructor(
    readonly producer: LocalLambda,
    readonly consumer: LocalLambda,
    readonly api: LocalApiGateway,
    readonly mapping: LocalEventSourceMapping,
    /** Every batch the mapping delivered, in order. */
    readonly batches: BatchReport[],
    /** Where the functions' spans arrive, as inside Lambda. */
    readonly xrayDaemon: LocalXrayDaemon,
  ) {}

  get webhookUrl(): string {
    return this.api.url;
  }

  get mappingSettings(): MappingSettings {
    return this.mapping.settings;
  }

  static async start(deployed: DeployedPipeline, options: LocalPipelineOptions): Promise<LocalPipeline> {
    const clientConfig = awsClientConfig(options.endpoint, options.region);
    const lambda = new LambdaClient(clientConfig);
    const sqs = new SQSClient(clientConfig);
    const daemon = await startXrayDaemon((records) => appendSpanRecords(options.spansFile, records));
    let api: LocalApiGateway | undefined;
    let functions: LocalLambda[] = [];
    try {
      const producer = await deployedLambda(lambda, deployed.producerFunctionName, options.producerZip ?? join(options.root, 'dist/producer.zip'), options, daemon);
      const consumer = await deployedLambda(lambda, deployed.consumerFunctionName, options.consumerZip ?? join(options.root, 'dist/consumer.zip'), options, daemon);
      functions = [producer, consumer];
      await Promise.all(functions.map((fn) => fn.start()));
      const settings = await readMapping(lambda, sqs, deployed.consumerFunctionName);
      const batches: BatchReport[] = [];
      const mapping = new LocalEventSourceMapping(sqs, settings, (event) => consumer.invoke(event, 'pubsub'), (report) => batches.push(report), options.mappingConcurrency);
      api = await startApiGateway((event, traceHeader) => producer.invoke(event, 'http', traceHeader), {
        stage: 'local',
        resourcePath: '/webhook',
        onSpan: (span) => appendSpanRecords(options.spansFile, [span]),
      });
      const pipeline = new LocalPipeline(producer, consumer, api, mapping, batches, daemon);
      mapping.start();
      return pipeline;
    } catch (error) {
      // Nothing started here may outlive a failed start.
      await api?.close();
      await Promise.all(functions.map((fn) => fn.stop()));
      await daemon.close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.api.close();
    await this.mapping.stop();
    await Promise.all([this.producer.stop(), this.consumer.stop()]);
    await this.xrayDaemon.close();
  }
}
