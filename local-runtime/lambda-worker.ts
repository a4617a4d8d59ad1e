// The process one local Lambda function runs in: a small runtime interface loop, as Lambda's
// Node.js runtime runs one. When the function names the ADOT layer's exec wrapper, NODE_OPTIONS
// has already `--require`d the layer's wrapper before this file runs, so the distro's aws-lambda
// instrumentation waits for the handler's file. The handler is loaded as the runtime loads it,
// require() of the absolute path LAMBDA_TASK_ROOT + _HANDLER, and the instrumentation wraps it
// there; this file never touches OpenTelemetry.
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { InvokeReply, InvokeRequest, WorkerStatus } from './invocation-protocol';

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, lambdaContext: LambdaContext, callback: Callback) => unknown;

interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
}

const send = (message: InvokeReply | WorkerStatus) => process.send?.(message);
const describe = (error: unknown) => (error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) });
const env = (name: string) => process.env[name] ?? '';

/** The handler's file and export, resolved from _HANDLER the way the runtime resolves them. */
export function handlerLocation(taskRoot: string, handlerSetting: string): { file: string; exportName: string } {
  const [moduleName, exportName] = basename(handlerSetting).split('.', 2) as [string, string | undefined];
  if (!exportName) throw new Error(`_HANDLER "${handlerSetting}" names no export (expected <file>.<export>)`);
  const base = resolve(taskRoot, dirname(handlerSetting), moduleName);
  const file = ['.js', '.cjs'].map((extension) => base + extension).find((candidate) => existsSync(candidate));
  if (!file) {
    const esm = existsSync(`${base}.mjs`) ? ' (an ES module handler: the local runtime loads CommonJS handlers only)' : '';
    throw new Error(`no handler file ${base}.js or .cjs${esm}`);
  }
  return { file, exportName };
}

function loadHandler(): Handler {
  const { file, exportName } = handlerLocation(env('LAMBDA_TASK_ROOT'), env('_HANDLER'));
  const handler = (require(file) as Record<string, unknown>)[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} exports no function ${exportName}`);
  return handler as Handler;
}

/** Settles with the handler's outcome, whether it returns a promise or calls back. */
function callHandler(handler: Handler, event: unknown, lambdaContext: LambdaContext): Promise<unknown> {
  return new Promise((settle, fail) => {
    const callback: Callback = (error, result) => (error ? fail(error) : settle(result));
    try {
      const returned = handler(event, lambdaContext, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(settle, fail);
    } catch (error) {
      fail(error);
    }
  });
}

async function invoke(handler: Handler, request: InvokeRequest): Promise<void> {
  // As the runtime does from the Lambda-Runtime-Trace-Id header of each invocation: the layer
  // reads its parent from here, and the AWS SDK copies it into its requests.
  // (Assigning undefined to process.env would store the string "undefined".)
  if (request.traceHeader) process.env._X_AMZN_TRACE_ID = request.traceHeader;
  else delete process.env._X_AMZN_TRACE_ID;
  const lambdaContext: LambdaContext = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env('AWS_LAMBDA_FUNCTION_NAME'),
    functionVersion: env('AWS_LAMBDA_FUNCTION_VERSION'),
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB: env('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'),
    awsRequestId: request.requestId,
    logGroupName: env('AWS_LAMBDA_LOG_GROUP_NAME'),
    logStreamName: env('AWS_LAMBDA_LOG_STREAM_NAME'),
    getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
  };
  try {
    const result = await callHandler(handler, request.event, lambdaContext);
    send({ type: 'result', id: request.id, result: result ?? null });
  } catch (error) {
    send({ type: 'error', id: request.id, error: describe(error) });
  }
}

if (require.main === module) {
  let handler: Handler | undefined;
  try {
    handler = loadHandler();
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'init-error', error: describe(error) });
    process.exitCode = 1;
    process.disconnect?.();
  }
  process.on('message', (request: InvokeRequest) => {
    if (handler && request?.type === 'invoke') void invoke(handler, request);
  });
}
