import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ADOT_EXEC_WRAPPER, otelInstrumentEnvironment, type LayerWrappers } from './adot-layer';
import type { CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogForwarder } from './cloudwatch-logs';
import type { InvokeReply, InvokeRequest, Trigger, WorkerStatus } from './invocation-protocol';
import { newSpanId, newTraceId, xrayHeader } from './xray-ids';

export interface LocalLambdaOptions {
  functionName: string;
  functionArn: string;
  /** The deployed runtime (nodejs22.x) and the node binary that plays it. */
  runtime: string;
  nodeBinary: string;
  /** Folder holding the unpacked zip. */
  taskDir: string;
  handler: string;
  /** The environment Terraform deployed, read back from the emulator. */
  environment: Record<string, string>;
  /** Set over the deployed environment, as if deployed with it (a test's switch, e.g. fast start). */
  environmentOverrides?: Record<string, string>;
  /** X-Ray tracing mode: Active samples invocations that arrive without a trace. */
  tracingMode: 'Active' | 'PassThrough';
  timeoutSeconds: number;
  memoryMb: number;
  /** Where the AWS SDK the runtime provides lives (outside the bundle, as in Lambda). */
  sdkNodePath: string;
  /** The compiled runtime interface loop (dist/local-runtime/lambda-worker.js). */
  workerScript: string;
  /** The layer's /opt/wrapper.js and /opt/lite-wrapper.js, played from dist/local-runtime. */
  layerWrappers: LayerWrappers;
  /** host:port of the local X-Ray daemon: AWS_XRAY_DAEMON_ADDRESS. */
  xrayDaemonAddress: string;
  /**
   * Where the function's AWS calls go (the local AWS endpoint, over TLS), with the credentials of
   * its execution role's session, the certificate to trust (NODE_EXTRA_CA_CERTS), and the client
   * settings Lambda's log delivery uses with the same role.
   */
  aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; caFile?: string; logs: CloudWatchLogsClientConfig };
  /**
   * Whether an invocation that arrives without a trace header is sampled (Active tracing): Lambda
   * samples the traces it starts at 1 request/s plus 5%. Unset, every such invocation is sampled.
   */
  sampleNewTrace?: () => boolean;
}

/** The handler's result or error, and the `_X_AMZN_TRACE_ID` the invocation ran with. */
export type InvokeOutcome = ({ ok: true; result: unknown } | { ok: false; error: { name: string; message: string } }) & { traceHeader: string };

/**
 * The environment of a function's process: Lambda's own variables over the deployed ones, then,
 * when the function names the ADOT layer's exec wrapper, what the layer's script makes of it.
 */
export function functionProcessEnvironment(options: LocalLambdaOptions): Record<string, string> {
  const { functionName } = options;
  const deployed = { ...options.environment, ...options.environmentOverrides };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...deployed,
    // Reserved variables Lambda sets for every Node.js function.
    AWS_EXECUTION_ENV: `AWS_Lambda_${options.runtime}`,
    AWS_REGION: options.aws.region,
    AWS_DEFAULT_REGION: options.aws.region,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    AWS_XRAY_DAEMON_ADDRESS: options.xrayDaemonAddress,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    LAMBDA_TASK_ROOT: options.taskDir,
    _HANDLER: options.handler,
    TZ: ':UTC',
    NODE_PATH: options.sdkNodePath,
    NODE_OPTIONS: deployed.NODE_OPTIONS ?? '',
    // The execution role's session credentials, as Lambda sets them.
    AWS_ACCESS_KEY_ID: options.aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.aws.credentials.secretAccessKey,
    ...(options.aws.credentials.sessionToken ? { AWS_SESSION_TOKEN: options.aws.credentials.sessionToken } : {}),
    // Local only: the local AWS endpoint instead of AWS, and the certificate it serves TLS with.
    AWS_ENDPOINT_URL: options.aws.endpoint,
    ...(options.aws.caFile ? { NODE_EXTRA_CA_CERTS: options.aws.caFile } : {}),
  };
  const wrapper = deployed.AWS_LAMBDA_EXEC_WRAPPER;
  if (!wrapper) return env;
  if (wrapper !== ADOT_EXEC_WRAPPER) throw new Error(`${functionName} names the exec wrapper ${wrapper}; the local runtime plays only the ADOT layer's ${ADOT_EXEC_WRAPPER}`);
  return otelInstrumentEnvironment(env, options.layerWrappers);
}

/**
 * One function's execution environment: a Node process of the deployed runtime's version, with
 * the deployed environment, the layer's code when the function names its wrapper, and the
 * handler loaded from the unpacked zip. It runs one invocation at a time, as Lambda's does. A
 * timed-out invocation kills the process and the next one starts fresh, as in Lambda.
 */
export class LocalLambda {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: InvokeReply) => void>();
  /** The invocation in progress: the next waits for it. */
  private busy: Promise<unknown> = Promise.resolve();

  /** The function's log group in the emulator, as Lambda would write it. */
  readonly cloudWatchLogs: CloudWatchLogForwarder;

  constructor(private readonly options: LocalLambdaOptions) {
    this.cloudWatchLogs = new CloudWatchLogForwarder({ client: options.aws.logs, functionName: options.functionName });
  }

  get functionName(): string {
    return this.options.functionName;
  }

  /** The access key of its execution role's session: what its AWS calls are signed with. */
  get accessKeyId(): string {
    return this.options.aws.credentials.accessKeyId;
  }

  /** Starts the execution environment (the cold start) if it is not running. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(this.options.workerScript, [], {
      cwd: this.options.taskDir,
      env: functionProcessEnvironment(this.options),
      execPath: this.options.nodeBinary,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.onOutput(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.ready = new Promise<void>((resolve, reject) => {
      const onStatus = (message: WorkerStatus | InvokeReply) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new Error(`${this.options.functionName} failed its cold start: ${message.error.message}`));
        else this.pending.get(message.id)?.(message);
      };
      child.on('message', onStatus);
      child.once('exit', (code) => {
        reject(new Error(`${this.options.functionName} exited during its cold start (code ${code}): ${this.output.trim().split('\n').slice(-3).join(' | ')}`));
        this.failPending(`the process of ${this.options.functionName} exited (code ${code})`);
        // Only if no newer environment replaced it meanwhile (crash() and stop() let go at once).
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
      });
    });
    return this.ready;
  }

  private output = '';
  /** Function logs, kept for error messages and readable with logs(). */
  private onOutput(chunk: Buffer): void {
    this.output += chunk.toString('utf8');
    this.cloudWatchLogs.write(chunk.toString('utf8'));
    if (this.output.length > 1_000_000) this.output = this.output.slice(-500_000);
  }

  logs(): string {
    return this.output;
  }

  private failPending(message: string): void {
    for (const [id, settle] of this.pending) settle({ type: 'error', id, error: { name: 'Runtime.ExitError', message } });
    this.pending.clear();
  }

  /**
   * The invocation's `_X_AMZN_TRACE_ID`: the caller's header when it passes one (API Gateway
   * with active tracing), else a new root, sampled as Lambda samples the traces it starts when the
   * function's tracing is Active (never with PassThrough).
   */
  private traceHeaderFor(callerHeader: string | undefined): string {
    if (callerHeader !== undefined) return callerHeader;
    const sampled = this.options.tracingMode === 'Active' && (this.options.sampleNewTrace?.() ?? true);
    return xrayHeader(newTraceId(), newSpanId(), sampled);
  }

  invoke(event: unknown, trigger: Trigger, traceHeader?: string): Promise<InvokeOutcome> {
    const turn = this.busy.then(() => this.invokeNow(event, trigger, this.traceHeaderFor(traceHeader)));
    this.busy = turn.catch(() => undefined);
    return turn;
  }

  private async invokeNow(event: unknown, trigger: Trigger, traceHeader: string): Promise<InvokeOutcome> {
    await this.start();
    const child = this.child as ChildProcess;
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const request: InvokeRequest = {
      type: 'invoke',
      id,
      event,
      trigger,
      traceHeader,
      requestId: randomUUID(),
      invokedFunctionArn: this.options.functionArn,
      deadlineMs: Date.now() + timeoutMs,
    };
    const reply = await new Promise<InvokeReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: 'error', id, error: { name: 'Sandbox.Timedout', message: `Task timed out after ${this.options.timeoutSeconds} seconds` } });
        if (this.child === child) this.crash();
        else child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(message);
      });
      child.send(request);
    });
    return reply.type === 'result' ? { ok: true, result: reply.result, traceHeader } : { ok: false, error: reply.error, traceHeader };
  }

  /**
   * The execution environment dies at once, as when Lambda's process crashes or runs out of
   * memory: SIGKILL, no shutdown hook (the layer's SIGTERM handler would shut its SDK down and
   * keep the process alive a moment). The invocation in flight fails; the next starts a new one.
   */
  crash(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    // No invocation may reach a process that is shutting down: the layer's SIGTERM handler shuts
    // its SDK down first, and spans of anything run after that would never be exported.
    this.child = undefined;
    this.ready = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      });
    }
    await this.cloudWatchLogs.flush(true);
  }
}
