import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CloudWatchLogForwarder } from './cloudwatch-logs';
import type { InvokeReply, InvokeRequest, Trigger, WorkerStatus } from './invocation-protocol';

export interface LocalLambdaOptions {
  functionName: string;
  /** Folder holding the unpacked zip. */
  taskDir: string;
  handler: string;
  /** The environment Terraform deployed, read back from the emulator. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Where the AWS SDK the runtime provides lives (outside the bundle, as in Lambda). */
  sdkNodePath: string;
  /** The compiled worker and preload (dist/local-runtime). */
  workerScript: string;
  preloadScript: string;
  /** AWS settings for the emulator: endpoint, region, dummy credentials. */
  aws: { endpoint: string; region: string };
  spansFile: string;
}

export type InvokeOutcome = { ok: true; result: unknown } | { ok: false; error: { name: string; message: string } };

/**
 * One function's execution environment: a node process with the deployed environment, the
 * handler loaded from the unpacked zip, the preload standing in for the ADOT layer when the
 * deployed environment names an exec wrapper. A timed-out invocation kills the process and the
 * next one starts fresh, as in Lambda.
 */
export class LocalLambda {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: InvokeReply) => void>();

  /** The function's log group in the emulator, as Lambda would write it. */
  readonly cloudWatchLogs: CloudWatchLogForwarder;

  constructor(private readonly options: LocalLambdaOptions) {
    this.cloudWatchLogs = new CloudWatchLogForwarder({ ...options.aws, functionName: options.functionName });
  }

  get functionName(): string {
    return this.options.functionName;
  }

  private processEnv(): NodeJS.ProcessEnv {
    const { options } = this;
    const traced = Boolean(options.environment.AWS_LAMBDA_EXEC_WRAPPER);
    return {
      PATH: process.env.PATH ?? '',
      ...options.environment,
      NODE_PATH: options.sdkNodePath,
      NODE_NO_WARNINGS: '1',
      NODE_OPTIONS: traced ? `--require ${options.preloadScript}` : '',
      AWS_REGION: options.aws.region,
      AWS_DEFAULT_REGION: options.aws.region,
      AWS_ENDPOINT_URL: options.aws.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
      LAMBDA_TASK_ROOT: options.taskDir,
      _HANDLER: options.handler,
      LOCAL_SPANS_FILE: options.spansFile,
    };
  }

  /** Starts the execution environment (the cold start) if it is not running. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(this.options.workerScript, [], { cwd: this.options.taskDir, env: this.processEnv(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
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
        this.child = undefined;
        this.ready = undefined;
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

  async invoke(event: unknown, trigger: Trigger, traceHeader?: string): Promise<InvokeOutcome> {
    await this.start();
    const child = this.child as ChildProcess;
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const request: InvokeRequest = { type: 'invoke', id, event, trigger, requestId: randomUUID(), deadlineMs: Date.now() + timeoutMs, ...(traceHeader ? { traceHeader } : {}) };
    const reply = await new Promise<InvokeReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: 'error', id, error: { name: 'Sandbox.Timedout', message: `Task timed out after ${this.options.timeoutSeconds} seconds` } });
        child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(message);
      });
      child.send(request);
    });
    return reply.type === 'result' ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  }

  async stop(): Promise<void> {
    const child = this.child;
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
