import { APIGatewayClient, GetResourcesCommand, GetRestApiCommand, GetStageCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { GetFunctionConfigurationCommand, GetLayerVersionCommand, LambdaClient, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { fastStartRefusal, readAdotReleases, runsLayerFastStart, type AttachedLayer } from './adot-layer';
import { startApiGateway, type DeployedStage, type LocalApiGateway } from './api-gateway';
import { LocalEventSourceMapping, readMapping, type BatchReport, type MappingSettings } from './event-source-mapping';
import { codeSha256, unpackFunction } from './function-package';
import { lambdaNodeBinary } from './lambda-node';
import type { LocalAws, RoleSession } from './local-aws';
import { lambdaSampler, XraySampler } from './local-aws/xray-sampler';
import { LocalLambda } from './local-lambda';
import { appendSpanRecords, type SpanRecord } from './span-file';
import { startXrayDaemon, type LocalXrayDaemon } from './xray-daemon';

/** What Terraform deployed, from the example's outputs. */
export interface DeployedPipeline {
  producerFunctionName: string;
  consumerFunctionName: string;
  /** The REST API in front of the producer (the module's api_id output). */
  restApiId: string;
  /**
   * With fan-out: the module's own consumer's name as a subscriber, and the other consumers (each
   * its own function, mapped to its own queue). Without: the one consumer, named `consumer`.
   */
  fanOut?: { ownConsumerName: string; consumers: Array<{ name: string; functionName: string }> };
}

/** One consumer as the runtime plays it: its execution environment and its queue's event source mapping. */
export interface ConsumerRuntime {
  /** The subscriber's name (fan-out), or `consumer`. */
  name: string;
  functionName: string;
  lambda: LocalLambda;
  mapping: LocalEventSourceMapping;
  /** Every batch its mapping delivered, in order. */
  batches: BatchReport[];
}

export interface LocalPipelineOptions {
  /** The local AWS endpoint: the functions' and the mapping's AWS, and what the runtime reads the deployment from. */
  localAws: LocalAws;
  /** The repository root: dist/ zips, dist/local-runtime scripts, node_modules for the SDK. */
  root: string;
  /** Where every span goes, as JSON lines: the layer's (received as the X-Ray daemon) and API Gateway's. */
  spansFile: string;
  /** Set over each function's deployed environment, as if deployed with it (e.g. OTEL_AWS_LAMBDA_FAST_START). */
  environmentOverrides?: Record<string, string>;
  /** Override the zips to load (default dist/producer.zip and dist/consumer.zip, for every consumer). */
  producerZip?: string;
  consumerZip?: string;
  /** Batches the event source mapping processes at once (Lambda scales SQS pollers up; default 1). */
  mappingConcurrency?: number;
  /** The randomness of X-Ray's fixed-rate sampling (a seeded one makes a soak's decisions repeatable). */
  random?: () => number;
}

/**
 * The deployed environment with the local AWS endpoint's plain-HTTP address (in QUEUE_URL, as
 * Terraform's calls went there) replaced by its TLS one: the SQS client sends to the host of
 * QUEUE_URL, and a function talks to AWS over HTTPS.
 */
function environmentFor(variables: Record<string, string>, localAws: LocalAws): Record<string, string> {
  const plain = [localAws.endpoint, localAws.motoEndpoint];
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, plain.reduce((text, endpoint) => text.split(endpoint).join(localAws.tlsEndpoint), value)]));
}

/** A plain-HTTP, admin client configuration for the emulator itself (readers that are not a function's). */
export const awsClientConfig = (endpoint: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

interface DeployedFunction {
  lambda: LocalLambda;
  session: RoleSession;
}

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

async function deployedLambda(client: LambdaClient, config: FunctionConfiguration, zipPath: string, options: LocalPipelineOptions, daemon: LocalXrayDaemon): Promise<DeployedFunction> {
  const { localAws } = options;
  const functionName = config.FunctionName as string;
  if (config.CodeSha256 !== codeSha256(zipPath)) {
    throw new Error(`${functionName} was deployed from other code than ${zipPath}: run make build, then terraform apply`);
  }
  // The runtime runs the installed distro whatever the layer: fast start must be refused where the
  // deployed layer's release has no lite mode, as that layer would silently ignore it.
  const deployedEnvironment = { ...(config.Environment?.Variables ?? {}), ...options.environmentOverrides };
  if (runsLayerFastStart(deployedEnvironment)) {
    const layers = await attachedLayers(client, (config.Layers ?? []).flatMap((layer) => (layer.Arn ? [layer.Arn] : [])));
    const refusal = fastStartRefusal(functionName, deployedEnvironment, layers, readAdotReleases(options.root));
    if (refusal) throw new Error(refusal);
  }
  // As Lambda does for each execution environment: a session of the execution role, named after
  // the function, if the role's trust policy lets Lambda assume it for this function.
  const functionArn = config.FunctionArn ?? `arn:aws:lambda:${localAws.region}:${localAws.accountId}:function:${functionName}`;
  const trusted = await localAws.authorizeServiceAssumeRole(config.Role as string, 'lambda.amazonaws.com', functionArn);
  if (!trusted.allowed) throw new Error(`The role defined for the function cannot be assumed by Lambda (${functionName}): ${trusted.message}`);
  const session = await localAws.assumeRole(config.Role as string, functionName);
  const runtime = config.Runtime ?? 'unknown';
  const scripts = join(options.root, 'dist/local-runtime');
  const sampler = lambdaSampler(options.random);
  const lambda = new LocalLambda({
    functionName,
    functionArn,
    runtime,
    nodeBinary: lambdaNodeBinary(runtime, options.root),
    taskDir: await unpackFunction(zipPath),
    handler: config.Handler ?? 'index.handler',
    environment: environmentFor((config.Environment?.Variables ?? {}) as Record<string, string>, localAws),
    ...(options.environmentOverrides ? { environmentOverrides: options.environmentOverrides } : {}),
    tracingMode: config.TracingConfig?.Mode === 'Active' ? 'Active' : 'PassThrough',
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    sdkNodePath: join(options.root, 'node_modules'),
    workerScript: join(scripts, 'lambda-worker.js'),
    layerWrappers: { full: join(scripts, 'layer-wrapper.js'), lite: join(scripts, 'layer-lite-wrapper.js') },
    xrayDaemonAddress: daemon.address,
    aws: {
      endpoint: localAws.tlsEndpoint,
      region: localAws.region,
      credentials: session.credentials,
      caFile: localAws.certificate.certFile,
      logs: localAws.sessionClientConfig(session.credentials),
    },
    ...(localAws.enforce ? { sampleNewTrace: () => sampler.sample().sampled } : {}),
  });
  return { lambda, session };
}

/** The deployed REST API's stage and the paths of its POST methods, read back from the emulator. */
async function deployedStage(localAws: LocalAws, restApiId: string): Promise<DeployedStage> {
  const client = new APIGatewayClient(localAws.adminClientConfig());
  const api = await client.send(new GetRestApiCommand({ restApiId }));
  const stages = (await client.send(new GetStagesCommand({ restApiId }))).item ?? [];
  if (stages.length !== 1) throw new Error(`the REST API ${restApiId} has ${stages.length} stages; the local API Gateway plays exactly one`);
  const stageName = stages[0]?.stageName as string;
  const stage = await client.send(new GetStageCommand({ restApiId, stageName }));
  const resources = (await client.send(new GetResourcesCommand({ restApiId, embed: ['methods'] }))).items ?? [];
  const routes = resources.filter((resource) => Object.keys(resource.resourceMethods ?? {}).includes('POST')).flatMap((resource) => (resource.path ? [resource.path] : []));
  if (routes.length === 0) throw new Error(`the REST API ${restApiId} has no POST method`);
  return { restApiId, apiName: api.name ?? restApiId, stage: stageName, routes: routes.sort(), tracingEnabled: stage.tracingEnabled === true, region: localAws.region, accountId: localAws.accountId };
}

/**
 * The parts AWS plays and the emulator cannot, wired to what Terraform deployed: API Gateway in
 * front of the producer, the event source mapping between each consumer's queue and the consumer
 * (with the consumer's role; one consumer, or with fan-out several), a Lambda execution environment
 * for each function (with its role's session), and the X-Ray daemon beside them; all of it calling
 * AWS through the local AWS endpoint (whose SNS delivers a fan-out's publish to the queues).
 */
export class LocalPipeline {
  private constructor(
    readonly producer: LocalLambda,
    /** Every consumer, the module's own first. */
    readonly consumers: ConsumerRuntime[],
    readonly api: LocalApiGateway,
    /** Where the functions' spans arrive, as inside Lambda. */
    readonly xrayDaemon: LocalXrayDaemon,
    /** The stage the local API Gateway plays, as deployed. */
    readonly stage: DeployedStage,
  ) {}

  /** The module's own consumer. */
  get consumer(): LocalLambda {
    return (this.consumers[0] as ConsumerRuntime).lambda;
  }

  /** Its queue's mapping. */
  get mapping(): LocalEventSourceMapping {
    return (this.consumers[0] as ConsumerRuntime).mapping;
  }

  /** Every batch its mapping delivered, in order. */
  get batches(): BatchReport[] {
    return (this.consumers[0] as ConsumerRuntime).batches;
  }

  /** The consumer of that name (fan-out), or the one consumer. */
  consumerNamed(name: string): ConsumerRuntime {
    const found = this.consumers.find((consumer) => consumer.name === name);
    if (!found) throw new Error(`no consumer named ${name} (there are ${this.consumers.map((consumer) => consumer.name).join(', ')})`);
    return found;
  }

  get webhookUrl(): string {
    return this.api.url;
  }

  /** The URL of a `/webhooks/<source>` source (the deployed `/webhooks/{source}` route). */
  sourceUrl(source: string): string {
    return `${this.api.stageUrl}/webhooks/${encodeURIComponent(source)}`;
  }

  get mappingSettings(): MappingSettings {
    return this.mapping.settings;
  }

  static async start(deployed: DeployedPipeline, options: LocalPipelineOptions): Promise<LocalPipeline> {
    const { localAws } = options;
    const lambda = new LambdaClient(localAws.adminClientConfig());
    const sessions = new Map<string, RoleSession>();
    // Lambda's X-Ray daemon uploads a function's spans with the function's role
    // (xray:PutTraceSegments, AWSXRayDaemonWriteAccess): a role without it loses its traces.
    const upload = async (records: SpanRecord[]) => {
      const byService = new Map<string, SpanRecord[]>();
      for (const record of records) byService.set(record.service, [...(byService.get(record.service) ?? []), record]);
      for (const [service, spans] of byService) {
        const session = sessions.get(service);
        if (!session || (await localAws.authorizeSession(session, 'xray:PutTraceSegments')).allowed) appendSpanRecords(options.spansFile, spans);
      }
    };
    const daemon = await startXrayDaemon((records) => void upload(records));
    let api: LocalApiGateway | undefined;
    let functions: LocalLambda[] = [];
    try {
      const consumerNames = [
        { name: deployed.fanOut?.ownConsumerName ?? 'consumer', functionName: deployed.consumerFunctionName },
        ...(deployed.fanOut?.consumers ?? []),
      ];
      const [producerConfig, ...consumerConfigs] = await Promise.all(
        [deployed.producerFunctionName, ...consumerNames.map((consumer) => consumer.functionName)].map((name) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))),
      );
      const producer = await deployedLambda(lambda, producerConfig as FunctionConfiguration, options.producerZip ?? join(options.root, 'dist/producer.zip'), options, daemon);
      const consumers = await Promise.all(consumerConfigs.map((config) => deployedLambda(lambda, config as FunctionConfiguration, options.consumerZip ?? join(options.root, 'dist/consumer.zip'), options, daemon)));
      // The layer names spans by OTEL_SERVICE_NAME (the module sets the function name).
      for (const [fn, config] of [
        [producer, producerConfig],
        ...consumers.map((consumer, i) => [consumer, consumerConfigs[i]] as const),
      ] as const) {
        sessions.set(config?.Environment?.Variables?.OTEL_SERVICE_NAME ?? fn.lambda.functionName, fn.session);
      }
      functions = [producer.lambda, ...consumers.map((consumer) => consumer.lambda)];
      await Promise.all(functions.map((fn) => fn.start()));
      const runtimes = await Promise.all(
        consumers.map(async (consumer, i): Promise<ConsumerRuntime> => {
          const { name, functionName } = consumerNames[i] as { name: string; functionName: string };
          const settings = await readMapping(lambda, new SQSClient(localAws.adminClientConfig()), functionName);
          const batches: BatchReport[] = [];
          // The mapping polls with the consumer's execution role, as Lambda's pollers do.
          const mappingSqs = new SQSClient(localAws.sessionClientConfig(consumer.session.credentials));
          const mapping = new LocalEventSourceMapping(mappingSqs, settings, (event) => consumer.lambda.invoke(event, 'pubsub'), (report) => batches.push(report), options.mappingConcurrency);
          return { name, functionName, lambda: consumer.lambda, mapping, batches };
        }),
      );
      const stage = await deployedStage(localAws, deployed.restApiId);
      const sampler = new XraySampler(() => localAws.samplingRules.rules(), options.random);
      api = await startApiGateway((event, traceHeader) => producer.lambda.invoke(event, 'http', traceHeader), stage, {
        onSpan: (span) => appendSpanRecords(options.spansFile, [span]),
        ...(localAws.enforce
          ? { sample: (request) => sampler.decide(request), authorizeInvoke: (sourceArn) => localAws.authorizeInvoke(deployed.producerFunctionName, sourceArn) }
          : {}),
      });
      const pipeline = new LocalPipeline(producer.lambda, runtimes, api, daemon, stage);
      for (const runtime of runtimes) runtime.mapping.start();
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
    await Promise.all(this.consumers.map((consumer) => consumer.mapping.stop()));
    await Promise.all([this.producer.stop(), ...this.consumers.map((consumer) => consumer.lambda.stop())]);
    await this.xrayDaemon.close();
  }
}
