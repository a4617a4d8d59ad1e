import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { startApiGateway, type LocalApiGateway } from './api-gateway';
import { LocalEventSourceMapping, readMapping, type BatchReport, type MappingSettings } from './event-source-mapping';
import { codeSha256, unpackFunction } from './function-package';
import { LocalLambda } from './local-lambda';

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
  spansFile: string;
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

async function deployedLambda(lambda: LambdaClient, functionName: string, zipPath: string, options: LocalPipelineOptions): Promise<LocalLambda> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  if (config.CodeSha256 !== codeSha256(zipPath)) {
    throw new Error(`${functionName} was deployed from other code than ${zipPath}: run make build, then terraform apply`);
  }
  return new LocalLambda({
    functionName,
    taskDir: await unpackFunction(zipPath),
    handler: config.Handler ?? 'index.handler',
    environment: environmentFor((config.Environment?.Variables ?? {}) as Record<string, string>, options),
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    sdkNodePath: join(options.root, 'node_modules'),
    workerScript: join(options.root, 'dist/local-runtime/lambda-worker.js'),
    preloadScript: join(options.root, 'dist/local-runtime/otel-preload.js'),
    aws: { endpoint: options.functionEndpoint ?? options.endpoint, region: options.region },
    spansFile: options.spansFile,
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
    const producer = await deployedLambda(lambda, deployed.producerFunctionName, options.producerZip ?? join(options.root, 'dist/producer.zip'), options);
    const consumer = await deployedLambda(lambda, deployed.consumerFunctionName, options.consumerZip ?? join(options.root, 'dist/consumer.zip'), options);
    let api: LocalApiGateway | undefined;
    try {
      await Promise.all([producer.start(), consumer.start()]);
      const settings = await readMapping(lambda, sqs, deployed.consumerFunctionName);
      const batches: BatchReport[] = [];
      const mapping = new LocalEventSourceMapping(sqs, settings, (event) => consumer.invoke(event, 'pubsub'), (report) => batches.push(report), options.mappingConcurrency);
      api = await startApiGateway((event, traceHeader) => producer.invoke(event, 'http', traceHeader), { stage: 'local', resourcePath: '/webhook' });
      const pipeline = new LocalPipeline(producer, consumer, api, mapping, batches);
      mapping.start();
      return pipeline;
    } catch (error) {
      // Nothing started here may outlive a failed start.
      await api?.close();
      await Promise.all([producer.stop(), consumer.stop()]);
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.api.close();
    await this.mapping.stop();
    await Promise.all([this.producer.stop(), this.consumer.stop()]);
  }
}
