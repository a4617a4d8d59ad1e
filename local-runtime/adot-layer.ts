// The ADOT Lambda layer for Node.js (AWSOpenTelemetryDistroJs), played with the layer's real
// code: the npm package it packs, @aws/aws-distro-opentelemetry-node-autoinstrumentation, pinned
// in package.json. What the layer adds around it is small and reproduced here: the environment
// defaults of /opt/otel-instrument and the `--require` of /opt/wrapper.js (full SDK) or
// /opt/lite-wrapper.js (fast start), which local-runtime/layer-wrapper.ts and
// layer-lite-wrapper.ts stand for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADOT_DISTRO_PACKAGE = '@aws/aws-distro-opentelemetry-node-autoinstrumentation';
/** The AWS_LAMBDA_EXEC_WRAPPER value that names the layer's script. */
export const ADOT_EXEC_WRAPPER = '/opt/otel-instrument';

/** The distro release installed in node_modules (what the local runtime runs). */
export function installedDistroVersion(root: string): string {
  const manifest = join(root, 'node_modules', ADOT_DISTRO_PACKAGE, 'package.json');
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    throw new Error(`${ADOT_DISTRO_PACKAGE} is not installed (${manifest} is missing): run npm ci`);
  }
}

export interface LayerWrappers {
  /** Plays /opt/wrapper.js: requires the distro's register. */
  full: string;
  /** Plays /opt/lite-wrapper.js: calls the distro's configureLiteMode(). */
  lite: string;
}

type Env = Record<string, string | undefined>;

const isSet = (value: string | undefined) => value !== undefined && value !== '';
/** NODE_OPTIONS splits on spaces; a quoted path survives a folder name with one. */
const quoted = (path: string) => `"${path.replace(/(["\\])/g, '\\$1')}"`;

/** Whether the function runs the layer's fast-start (lite) SDK, decided as otel-instrument decides it. */
export function usesFastStart(env: Env): boolean {
  return env.OTEL_AWS_LAMBDA_FAST_START === 'true';
}

/** Whether the function asks for the layer's fast start: under the layer's wrapper, with the switch on. */
export function runsLayerFastStart(env: Env): boolean {
  return env.AWS_LAMBDA_EXEC_WRAPPER === ADOT_EXEC_WRAPPER && usesFastStart(env);
}

/** What the runtime reads of adot-layer.json: the release AWS publishes, and the first with lite mode. */
export interface AdotReleases {
  /** The release of the layers AWS publishes per region (a layer that declares none is taken as this). */
  published: string;
  /** The first distro release with lite mode (fast start). */
  liteModeSince: string;
}

export function readAdotReleases(root: string): AdotReleases {
  const data = JSON.parse(readFileSync(join(root, 'adot-layer.json'), 'utf8')) as { release: string; lite_mode_since: { version: string } };
  return { published: data.release, liteModeSince: data.lite_mode_since.version };
}

/** The ADOT release a layer version declares in its description, as examples/local's stand-in does ("... release 0.13.0 ..."). */
export function declaredLayerRelease(description: string | undefined): string | undefined {
  return /\brelease (\d+\.\d+\.\d+)\b/.exec(description ?? '')?.[1];
}

/** Negative, zero or positive as release `a` is older than, the same as or newer than `b` (major.minor.patch). */
export function compareReleases(a: string, b: string): number {
  const [pa, pb] = [a, b].map((release) => release.split('.').map(Number)) as [number[], number[]];
  for (let i = 0; i < 3; i++) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A layer attached to the function, as Lambda describes it. */
export interface AttachedLayer {
  arn: string;
  description?: string | undefined;
}

/**
 * Why the function may not start as deployed, or undefined when it may: fast start
 * (OTEL_AWS_LAMBDA_FAST_START=true under the layer's wrapper) on a layer older than lite mode,
 * where Lambda would silently run the full SDK. The local runtime always runs the distro it has
 * installed (0.13), so without this it would play a fast start the deployed layer cannot give.
 * The emulated release is the one a layer declares in its description, else AWS's published one.
 */
export function fastStartRefusal(functionName: string, env: Env, layers: readonly AttachedLayer[], releases: AdotReleases): string | undefined {
  if (!runsLayerFastStart(env)) return undefined;
  const emulated = layers.map((layer) => ({ layer, declared: declaredLayerRelease(layer.description) }));
  const { layer, declared } = emulated.find((entry) => entry.declared !== undefined) ?? emulated[0] ?? { layer: undefined, declared: undefined };
  const release = declared ?? releases.published;
  if (compareReleases(release, releases.liteModeSince) >= 0) return undefined;
  const which = layer ? `its ADOT layer ${layer.arn} is release ${release}` : `it has no layer, taken as ADOT release ${release}`;
  const how = declared ? '' : ` (the layer's description declares no release: taken as ${release}, the one AWS publishes per region)`;
  return (
    `${functionName} asks for the ADOT layer's fast start (OTEL_AWS_LAMBDA_FAST_START=true), but ${which}${how}: ` +
    `lite mode arrived in release ${releases.liteModeSince}, and an older layer ignores the variable. ` +
    `Deploy a layer of release ${releases.liteModeSince} or later (declare it in the layer's description, "release x.y.z"), or turn fast start off.`
  );
}

/**
 * The environment /opt/otel-instrument hands to the runtime for a CommonJS handler on Node 22,
 * given the function's environment (Lambda's own variables included): unset settings get the
 * layer's defaults, and NODE_OPTIONS gains the `--require` of the wrapper.
 */
export function otelInstrumentEnvironment(input: Env, wrappers: LayerWrappers): Record<string, string> {
  const env: Env = { ...input };
  if (!isSet(env.OTEL_METRICS_EXPORTER)) env.OTEL_METRICS_EXPORTER = 'none';
  if (!isSet(env.OTEL_LOGS_EXPORTER)) env.OTEL_LOGS_EXPORTER = 'none';
  // The lite SDK has no meter or logger provider: an exporter for either forces the full SDK.
  if (env.OTEL_METRICS_EXPORTER !== 'none' || env.OTEL_LOGS_EXPORTER !== 'none') env.OTEL_AWS_LAMBDA_FAST_START = 'false';
  const wrapper = usesFastStart(env) ? wrappers.lite : wrappers.full;
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${quoted(wrapper)}`.trim();

  env.LAMBDA_RESOURCE_ATTRIBUTES = [
    `cloud.region=${env.AWS_REGION ?? ''}`,
    'cloud.provider=aws',
    'cloud.platform=aws_lambda',
    `faas.name=${env.AWS_LAMBDA_FUNCTION_NAME ?? ''}`,
    `faas.version=${env.AWS_LAMBDA_FUNCTION_VERSION ?? ''}`,
    `faas.instance=${env.AWS_LAMBDA_LOG_STREAM_NAME ?? ''}`,
    `aws.log.group.names=${env.AWS_LAMBDA_LOG_GROUP_NAME ?? ''}`,
  ].join(',');
  if (!isSet(env.OTEL_EXPORTER_OTLP_PROTOCOL)) env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';

  const enabled = env.OTEL_NODE_ENABLED_INSTRUMENTATIONS;
  // The layer always keeps the Lambda and HTTP instrumentations next to a user's list.
  if (!isSet(enabled) && !isSet(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS)) env.OTEL_NODE_ENABLED_INSTRUMENTATIONS = 'aws-sdk,aws-lambda,http';
  else if (isSet(enabled)) env.OTEL_NODE_ENABLED_INSTRUMENTATIONS = `${enabled},aws-lambda,http`;

  if (!isSet(env.OTEL_SERVICE_NAME)) env.OTEL_SERVICE_NAME = env.AWS_LAMBDA_FUNCTION_NAME ?? '';
  if (!isSet(env.OTEL_PROPAGATORS)) env.OTEL_PROPAGATORS = 'baggage,tracecontext,xray';
  if (!isSet(env.OTEL_AWS_APPLICATION_SIGNALS_ENABLED)) env.OTEL_AWS_APPLICATION_SIGNALS_ENABLED = 'true';
  env.OTEL_RESOURCE_ATTRIBUTES = isSet(env.OTEL_RESOURCE_ATTRIBUTES) ? `${env.LAMBDA_RESOURCE_ATTRIBUTES},${env.OTEL_RESOURCE_ATTRIBUTES}` : env.LAMBDA_RESOURCE_ATTRIBUTES;
  if (!env.OTEL_RESOURCE_ATTRIBUTES.includes('service.name=')) {
    env.OTEL_RESOURCE_ATTRIBUTES = `service.name=${env.AWS_LAMBDA_FUNCTION_NAME ?? ''},${env.OTEL_RESOURCE_ATTRIBUTES}`;
  }
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
